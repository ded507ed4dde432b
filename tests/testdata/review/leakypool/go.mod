module example.com/review/leakypool

go 1.22
