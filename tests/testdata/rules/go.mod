module fixtures

go 1.22
