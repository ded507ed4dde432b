; defer x.Unlock() / defer x.RUnlock() (candidates; Python checks that they sit in a loop).
(defer_statement
  (call_expression
    function: (selector_expression
      operand: (_) @recv
      field: (field_identifier) @method (#any-of? @method "Unlock" "RUnlock")))) @report

; defer func() { ...; x.Unlock() }()
(defer_statement
  (call_expression
    function: (func_literal
      body: (block
        (statement_list
          (expression_statement
            (call_expression
              function: (selector_expression
                operand: (_) @recv
                field: (field_identifier) @method (#any-of? @method "Unlock" "RUnlock"))))))))) @report
