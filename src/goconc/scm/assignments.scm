; Assignments and address-of of identifiers: what a local func variable may hold (call graph).
(assignment_statement) @assign
(unary_expression operator: "&" operand: (identifier) @addr)
