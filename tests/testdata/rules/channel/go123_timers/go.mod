module timerfix123

// From go 1.23 unreferenced timers are collected at once.
go 1.23
