; Calls that may be WaitGroup methods; Python checks the receiver's type.
(call_expression
  function: (selector_expression
    operand: (_) @recv
    field: (field_identifier) @method (#any-of? @method "Add" "Done" "Wait" "Go"))) @call
