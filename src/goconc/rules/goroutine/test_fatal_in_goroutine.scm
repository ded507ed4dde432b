; Calls that stop a test: only legal on the test's own goroutine.
(call_expression
  function: (selector_expression
    operand: (identifier) @recv
    field: (field_identifier) @method
      (#any-of? @method "Fatal" "Fatalf" "FailNow" "SkipNow" "Skip" "Skipf"))) @call
