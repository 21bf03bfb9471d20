// gomutex: 8 goroutines on GOMAXPROCS 2, each turn ~50 us of work under a lock.
// "shared": one global sync.Mutex (main.mu) serializes them all;
// "own": a mutex per goroutine (main.own), no contention.
// Usage: gomutex shared|own [SECONDS] (default 2). Prints "TID main <tid>" and, at the end,
// "ADDR mu <address of main.mu>" and, at the end, "TURNS <n>" (the turns taken under the lock,
// all goroutines: contended acquisitions can be no more).
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const goroutines = 8
const workNs = 50000 // busy time per turn, under the lock

// The locks threadtrace must name: globals.
var mu sync.Mutex
var own [goroutines]struct {
	sync.Mutex
	_ [56]byte // a cache line each
}

var sink uint64

func spin(d time.Duration) {
	end := time.Now().Add(d)
	x := uint64(1)
	for time.Now().Before(end) {
		for i := 0; i < 100; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	atomic.AddUint64(&sink, x&1)
}

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "shared" && os.Args[1] != "own") {
		fmt.Fprintln(os.Stderr, "usage: gomutex shared|own [SECONDS]")
		os.Exit(2)
	}
	secs := 2.0
	if len(os.Args) > 2 {
		v, err := strconv.ParseFloat(os.Args[2], 64)
		if err != nil || v <= 0 {
			fmt.Fprintln(os.Stderr, "gomutex: bad SECONDS")
			os.Exit(2)
		}
		secs = v
	}
	runtime.GOMAXPROCS(2)
	fmt.Printf("TID main %d\n", syscall.Gettid())
	fmt.Printf("ADDR mu %p\n", &mu)
	shared := os.Args[1] == "shared"
	end := time.Now().Add(time.Duration(secs * float64(time.Second)))
	var turns int64
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			m := &mu
			if !shared {
				m = &own[g].Mutex
			}
			for time.Now().Before(end) {
				m.Lock()
				spin(workNs * time.Nanosecond)
				m.Unlock()
				atomic.AddInt64(&turns, 1)
				runtime.Gosched() // other goroutines get their turn at the lock
			}
		}(g)
	}
	wg.Wait()
	fmt.Printf("TURNS %d\n", turns)
}
