; x.Lock() / x.RLock() statements; Python checks that the next statement is its Unlock.
(statement_list
  (expression_statement
    (call_expression
      function: (selector_expression operand: (_) @recv1 field: (field_identifier) @m1))) @report
  (#any-of? @m1 "Lock" "RLock"))
