package done_not_deferred

import s "sync"

// An aliased import of sync.
func aliased(u string) {
	var wg s.WaitGroup
	wg.Add(1)
	go func() {
		if _, err := fetch(u); err != nil {
			return
		}
		wg.Done() // want `wg.Done\(\) is not deferred`
	}()
	wg.Wait()
}

// An alias type of sync.WaitGroup.
type group = s.WaitGroup

func aliasType(u string) {
	var wg group
	wg.Add(1)
	go func() {
		if _, err := fetch(u); err != nil {
			return
		}
		wg.Done() // want `wg.Done\(\) is not deferred`
	}()
	wg.Wait()
}
