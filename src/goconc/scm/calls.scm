; Calls, listed by the call graph (f[int](x) parses as a conversion to a generic type).
[(call_expression) (type_conversion_expression type: (generic_type))] @call
