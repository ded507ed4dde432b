module loopvarfix122

go 1.22
