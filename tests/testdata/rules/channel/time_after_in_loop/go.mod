module timerfix

// Before go 1.23 a timer lives until it fires.
go 1.22
