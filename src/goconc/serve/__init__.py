"""goconc where people and coding agents work: the MCP server (`goconc mcp`), the language
server (`goconc lsp`) and the agent definition (`goconc agent init`).

Each server is confined to the workspace root it was started in (workspace.py): a path that
resolves outside it is refused, whatever `..` or symlinks it goes through.
"""
