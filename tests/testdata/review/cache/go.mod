module example.com/review/cache

go 1.22
