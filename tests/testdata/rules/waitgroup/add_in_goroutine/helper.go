package add_in_goroutine

import "sync"

// A goroutine started through a helper that counts itself.
func worker(u string, wg *sync.WaitGroup) {
	wg.Add(1) // want `wg.Add called inside the goroutine it counts`
	defer wg.Done()
	fetch(u)
}

func startWorkers(urls []string) {
	var wg sync.WaitGroup
	for _, u := range urls {
		go worker(u, &wg)
	}
	wg.Wait()
}

// The same helper shape, counted by its caller before the go statement.
func countedWorker(u string, wg *sync.WaitGroup) {
	defer wg.Done()
	wg.Add(1)
	fetch(u)
	wg.Done()
}

func startCountedWorkers(urls []string) {
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go countedWorker(u, &wg)
	}
	wg.Wait()
}

// A helper that is only called, never started with go.
func step(u string, wg *sync.WaitGroup) {
	wg.Add(1)
	defer wg.Done()
	fetch(u)
}

func runSteps(urls []string) {
	var wg sync.WaitGroup
	for _, u := range urls {
		step(u, &wg)
	}
	wg.Wait()
}

// A method started as a goroutine.
type crawler struct {
	wg   sync.WaitGroup
	urls []string
}

func (c *crawler) loop() {
	c.wg.Add(1) // want `c.wg.Add called inside the goroutine it counts`
	defer c.wg.Done()
	for _, u := range c.urls {
		fetch(u)
	}
}

func (c *crawler) start() {
	go c.loop()
}

// A goroutine run through a local function value is not followed.
func localFunc(u string) {
	var wg sync.WaitGroup
	work := func() {
		wg.Add(1) // todo-want `wg.Add called inside the goroutine it counts`
		defer wg.Done()
		fetch(u)
	}
	go work()
	wg.Wait()
}
