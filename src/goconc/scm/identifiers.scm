; Every identifier (uses and declarations); Python resolves them.
(identifier) @id
