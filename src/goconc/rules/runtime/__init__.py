"""Rules of the runtime family: findings of `goconc race`, made from what the Go runtime printed."""
