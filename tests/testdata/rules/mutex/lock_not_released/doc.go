package lock_not_released

import (
	"errors"
	"sync"
)

var errNotFound = errors.New("not found")

// The documentation's example.
type DocCache struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *DocCache) Get(k string) (string, error) {
	c.mu.Lock() // want `lock on c.mu is not released on the path that returns at line 20 \(when .!ok. at line 19\): add c.mu.Unlock\(\) before that return, or defer it`
	v, ok := c.m[k]
	if !ok {
		return "", errNotFound // c.mu still locked
	}
	c.mu.Unlock()
	return v, nil
}

// The documentation's "use instead".
func (c *DocCache) GetDeferred(k string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	if !ok {
		return "", errNotFound
	}
	return v, nil
}
