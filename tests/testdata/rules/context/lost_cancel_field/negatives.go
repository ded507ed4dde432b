package lost_cancel_field

import "context"

type Worker struct {
	ctx    context.Context
	finish context.CancelFunc
	halt   context.CancelFunc
	quit   context.CancelFunc
}

// Called from Stop.
func NewWorker() *Worker {
	ctx, cancel := context.WithCancel(context.Background())
	w := &Worker{ctx: ctx}
	w.finish = cancel
	return w
}

func (w *Worker) Stop() { w.finish() }

// Handed on as a value.
func (w *Worker) start(register func(func())) {
	w.ctx, w.halt = context.WithCancel(w.ctx)
	register(w.halt)
}

// Deferred where the work ends.
func (w *Worker) run() {
	w.ctx, w.quit = context.WithCancel(w.ctx)
	defer w.quit()
	<-w.ctx.Done()
}

// A local cancel function: go vet's lostcancel business.
func local(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	return ctx
}
