// Package gctune keeps the garbage collector from running on a nearly
// empty heap more often than a server can afford.
//
// The cinnabar command runs with a low GOGC (see cinnabar.go): the
// keyspace lives in pointer-free slabs, so a collection is cheap and a low
// target keeps RSS close to the data. But the runtime scales its minimum
// heap goal with GOGC (4 MB at 100, 1 MB at 25), so a server with almost
// no data collects after every megabyte allocated: a burst of a thousand
// new connections (redis-benchmark -c 1000, about 6 KB each) went through
// several collections, each taking the only core for a while, and the
// first requests of the clients still connecting waited for them.
//
// Floor raises the GC percent after each collection so that the next
// goal is at least the floor while the live heap is under a quarter of
// it; past that the base percent applies, so a server holding a dataset
// keeps the RSS the base gives it.
package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// Tuner adjusts the GC percent after every collection.
type Tuner struct {
	base  int
	floor uint64

	mu      sync.Mutex
	sample  [1]metrics.Sample
	percent atomic.Int64 // the percent set last
	stopped atomic.Bool
}

// Floor starts a tuner: after every collection the GC percent becomes
// base, or more if needed for the next heap goal to reach floor bytes
// while the live heap is under floor/4. It changes process-wide state:
// only a program that owns the process (the cinnabar command, not an
// application embedding a server) should use it.
func Floor(base int, floor uint64) *Tuner {
	t := &Tuner{base: base, floor: floor}
	t.sample[0].Name = "/gc/heap/live:bytes"
	t.percent.Store(int64(base))
	debug.SetGCPercent(base)
	t.adjust()
	t.arm()
	return t
}

// Stop ends the tuning and restores the base percent.
func (t *Tuner) Stop() {
	t.stopped.Store(true)
	t.mu.Lock()
	debug.SetGCPercent(t.base)
	t.percent.Store(int64(t.base))
	t.mu.Unlock()
}

// Percent is the GC percent the tuner set last.
func (t *Tuner) Percent() int { return int(t.percent.Load()) }

type sentinel struct{ _ [16]byte }

// arm registers a cleanup that runs once the collection that frees a
// fresh sentinel is done, that is after the next GC; it re-arms itself.
func (t *Tuner) arm() {
	s := &sentinel{}
	runtime.AddCleanup(s, func(t *Tuner) {
		if t.stopped.Load() {
			return
		}
		t.adjust()
		t.arm()
	}, t)
}

func (t *Tuner) adjust() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped.Load() {
		return
	}
	metrics.Read(t.sample[:])
	var live uint64
	if t.sample[0].Value.Kind() == metrics.KindUint64 {
		live = t.sample[0].Value.Uint64()
	}
	if p := percentFor(t.base, t.floor, live); int64(p) != t.percent.Load() {
		debug.SetGCPercent(p)
		t.percent.Store(int64(p))
	}
}

// runtimeMinHeap is the Go runtime's minimum heap goal at GOGC=100; it
// scales with GOGC (the GC guide: "4 MiB * GOGC/100").
const runtimeMinHeap = 4 << 20

// percentFor is the smallest GC percent p (at least base) that makes the
// next heap goal reach floor while the live heap is under a quarter of
// it, and base otherwise. The runtime's goal is the larger of
// live*(1+p/100) and runtimeMinHeap*p/100, so whichever term reaches the
// floor first sets p (the second one for a nearly empty heap: at a
// percent computed from the first alone, a 1 MB heap would have a 60 MB
// goal instead of 16).
func percentFor(base int, floor, live uint64) int {
	if live == 0 {
		live = 1 << 20
	}
	if live >= floor/4 || live*uint64(100+base)/100 >= floor {
		return base
	}
	byLive := ceilDiv((floor-live)*100, live)
	byMin := ceilDiv(floor*100, runtimeMinHeap)
	return max(base, int(min(byLive, byMin, 1<<20)))
}

func ceilDiv(a, b uint64) uint64 { return (a + b - 1) / b }
