; Where a goroutine waits for another, or lets one go on: wg.Wait(), wg.Add(), wg.Done(), a receive
; (`<-ch`, `for range ch`), a send and close(ch). Python checks the types.
(call_expression
  function: (selector_expression
    operand: (_) @wg
    field: (field_identifier) @method (#any-of? @method "Wait" "Done" "Add"))) @wg_call
(unary_expression operator: "<-" operand: (_) @chan) @receive
(send_statement channel: (_) @chan) @send
(call_expression
  function: (identifier) @builtin (#eq? @builtin "close")
  arguments: (argument_list . (_) @chan .)) @close
