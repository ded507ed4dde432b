; Where a lock may leave a function (lock_flow.escaped_keys): expressions in value positions
; (arguments, results, stored or sent values) and the lock methods used other than by a call.
(argument_list (_) @value)
(expression_list (_) @value)
(literal_element (_) @value)
(keyed_element (_) @value)
(send_statement value: (_) @value)
(return_statement (_) @value)
(var_spec value: (_) @value)
(short_var_declaration right: (_) @value)
(assignment_statement right: (_) @value)
(selector_expression
  field: (field_identifier) @method
  (#match? @method "^(Lock|Unlock|RLock|RUnlock|RLocker|TryLock|TryRLock)$"))
