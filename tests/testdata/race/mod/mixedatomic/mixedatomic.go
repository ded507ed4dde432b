// Package mixedatomic: a flag written with sync/atomic and read plainly on a fast path.
package mixedatomic

import (
	"errors"
	"sync/atomic"
)

var ErrClosed = errors.New("closed")

type Pool struct{ closed int32 }

func (p *Pool) Close() { atomic.StoreInt32(&p.closed, 1) }

func (p *Pool) Get() error {
	if p.closed == 1 {
		return ErrClosed
	}
	return nil
}
