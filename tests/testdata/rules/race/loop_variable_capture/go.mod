module loopvarfix

// Before go 1.22 a loop has one variable for all its iterations.
go 1.21
