module fixtures

go 1.25
