; Candidate lock operations: x.Lock(), x.Unlock(), x.RLock(), x.RUnlock().
(call_expression
  function: (selector_expression
    operand: (_) @recv
    field: (field_identifier) @method (#any-of? @method "Lock" "Unlock" "RLock" "RUnlock"))) @call

; Method values that release a lock later: `defer cleanup(mu.Unlock)`, `return mu.Unlock`.
(selector_expression
  field: (field_identifier) @value_method (#any-of? @value_method "Unlock" "RUnlock")) @method_value

