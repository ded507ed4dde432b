; Where goroutines start: `go` statements, and Go(func...) calls (errgroup.Group, sync.WaitGroup).
(go_statement) @site
(call_expression
  function: (selector_expression field: (field_identifier) @method (#eq? @method "Go"))
  arguments: (argument_list (func_literal))) @site
