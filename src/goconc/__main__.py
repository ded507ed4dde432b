from goconc.cli import main

main()
