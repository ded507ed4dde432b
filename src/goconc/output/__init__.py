"""Output formats: each is a pure function of the run result (text, json, sarif, github)."""

FORMATS = ("text", "json", "sarif", "github")
