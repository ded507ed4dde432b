module example.com/review/pipeline

go 1.22
