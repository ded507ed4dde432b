module example.com/racefix

// go 1.21: loop variables are shared between iterations (see loopvar/).
go 1.21
