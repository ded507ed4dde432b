; Function literals, numbered by the call graph in source order.
(func_literal) @lit
