"""Output formats: each is a pure function of the run result (text, json, sarif)."""

FORMATS = ("text", "json", "sarif")
