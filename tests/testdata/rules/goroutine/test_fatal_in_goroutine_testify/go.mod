module testifyfix

go 1.25

require github.com/stretchr/testify v1.11.1

replace github.com/stretchr/testify => ./testify
