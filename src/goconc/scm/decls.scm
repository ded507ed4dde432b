; Names a function declares: parameters, results, receivers, :=, var, const, range, select
; receives and type-switch aliases. Python works out each one's scope and type.
(parameter_declaration name: (identifier) @param)
(variadic_parameter_declaration name: (identifier) @param)
(short_var_declaration left: (expression_list (identifier) @define))
(var_spec name: (identifier) @var)
(const_spec name: (identifier) @const)
(range_clause left: (expression_list (identifier) @range))
(receive_statement left: (expression_list (identifier) @recv))
(type_switch_statement alias: (expression_list (identifier) @typeswitch))
