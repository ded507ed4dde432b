package lost_cancel_field

import (
	"context"
	"time"
)

type Conn struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// Close never calls c.cancel: every Conn leaks its context and the goroutine below.
func Dial(parent context.Context) *Conn {
	ctx, cancel := context.WithCancel(parent)
	c := &Conn{ctx: ctx, cancel: cancel} // want `the cancel function of this WithCancel is stored in the field cancel and nothing in the package ever calls it`
	go func() { <-c.ctx.Done() }()
	return c
}

func (c *Conn) Close() error { return nil }

type Job struct {
	ctx  context.Context
	stop func()
}

// Assigned to the field directly; the timer lives for a minute after the job is dropped.
func NewJob() *Job {
	j := &Job{}
	j.ctx, j.stop = context.WithTimeout(context.Background(), time.Minute) // want `the cancel function of this WithTimeout is stored in the field stop`
	return j
}
