package cond_wait_not_in_loop

import "sync"

// The loop re-checks the condition after each wake-up.
func (q *Queue) PopLoop() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 {
		q.cond.Wait()
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}

// A loop that breaks on the condition.
func (q *Queue) AwaitLoop() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		if q.ready {
			return
		}
		q.cond.Wait()
	}
}

// A loop written with goto.
func (q *Queue) AwaitGoto() {
	q.mu.Lock()
retry:
	if !q.ready {
		q.cond.Wait()
		goto retry
	}
	q.mu.Unlock()
}

// A method that only wraps Wait: its callers loop.
type flusher struct{ c *sync.Cond }

func (f *flusher) Wait() { f.c.Wait() }

func (f *flusher) wait() {
	f.c.Wait()
}

// Something else with a Wait method.
func other(wg *sync.WaitGroup) {
	wg.Wait()
}
