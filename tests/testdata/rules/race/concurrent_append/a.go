package concurrent_append

import (
	"context"
	"sync"

	"fixtures/internal/errgroup"
)

type Page struct{ URL string }

func fetch(ctx context.Context, u string) (Page, error) { return Page{u}, ctx.Err() }

func fetchAll(ctx context.Context, urls []string) []Page {
	var pages []Page
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if p, err := fetch(ctx, u); err == nil {
				pages = append(pages, p) // want `append to pages from every goroutine this loop starts, with no lock held: a data race on the slice`
			}
		}()
	}
	wg.Wait()
	return pages
}

type Crawler struct {
	found []string
}

func (c *Crawler) crawl(ctx context.Context, urls []string) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, u := range urls {
		g.Go(func() error {
			p, err := fetch(ctx, u)
			if err != nil {
				return err
			}
			c.found = append(c.found, p.URL) // want `append to c.found from every goroutine this loop starts`
			return nil
		})
	}
	return g.Wait()
}

// ---- not reported ----

func guarded(ctx context.Context, urls []string) []Page {
	var (
		mu    sync.Mutex
		pages []Page
		wg    sync.WaitGroup
	)
	for _, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, _ := fetch(ctx, u)
			mu.Lock()
			pages = append(pages, p)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return pages
}

// Each goroutine appends to a slice of its own.
func local(ctx context.Context, groups [][]string, out chan<- []Page) {
	for _, group := range groups {
		go func() {
			var mine []Page
			for _, u := range group {
				p, _ := fetch(ctx, u)
				mine = append(mine, p)
			}
			out <- mine
		}()
	}
}

// Results through a channel; the starting function appends.
func collected(ctx context.Context, urls []string) []Page {
	ch := make(chan Page, len(urls))
	for _, u := range urls {
		go func() {
			p, _ := fetch(ctx, u)
			ch <- p
		}()
	}
	var pages []Page
	for range urls {
		pages = append(pages, <-ch)
	}
	return pages
}
