; Unbuffered channels made into a local: `ch := make(chan T)`, `var ch = make(chan T, 0)`,
; `ch = make(chan T)`. Python checks the capacity, the variable and every use of it.
(call_expression
  function: (identifier) @make
  arguments: (argument_list . (channel_type)) @args
  (#eq? @make "make")) @call
