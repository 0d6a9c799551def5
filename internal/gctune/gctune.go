// Package gctune keeps the garbage collector from running on a small heap
// more often than a server with many clients can afford.
//
// The cinnabar command runs with a low GOGC (see cinnabar.go): the
// keyspace lives in pointer-free slabs, so a collection is cheap and a low
// target keeps RSS close to the data. But a low GOGC gives a small heap
// almost no headroom (the runtime's minimum goal scales with GOGC: 4 MB at
// 100, 1 MB at 25), so a server holding little data collects after every
// few hundred kilobytes allocated. With a thousand clients connecting
// (redis-benchmark -c 1000) that was several collections in a row, each
// taking the only core for milliseconds (mark assists), while those
// clients waited for their first replies.
//
// Headroom gives the collector a headroom that grows with the number of
// clients: after each collection the GC percent becomes the base, or more
// if needed for the next goal to be at least live + headroom. A server
// with a large dataset gets more from the base percent alone, and one with
// a handful of clients (loading a dataset, say) gets nothing extra, so the
// RSS the base gives a dataset is unchanged.
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
	base     int
	headroom func() uint64

	mu      sync.Mutex
	sample  [1]metrics.Sample
	percent atomic.Int64 // the percent set last
	stopped atomic.Bool
}

// Headroom starts a tuner: after every collection the GC percent becomes
// base, or more if needed for the next heap goal to reach the live heap
// plus headroom() bytes. headroom is called after collections, from a
// goroutine of the runtime's, and must not block. Headroom changes
// process-wide state: only a program that owns the process (the cinnabar
// command, not an application embedding a server) should use it.
func Headroom(base int, headroom func() uint64) *Tuner {
	t := &Tuner{base: base, headroom: headroom}
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
	if p := percentFor(t.base, t.headroom(), live); int64(p) != t.percent.Load() {
		debug.SetGCPercent(p)
		t.percent.Store(int64(p))
	}
}

// runtimeMinHeap is the Go runtime's minimum heap goal at GOGC=100; it
// scales with GOGC (the GC guide: "4 MiB * GOGC/100").
const runtimeMinHeap = 4 << 20

// maxPercent bounds the percent set (the runtime accepts any).
const maxPercent = 1 << 20

// percentFor is the smallest GC percent p, at least base, that makes the
// next heap goal reach live+headroom. The runtime's goal is the larger of
// live*(1+p/100) and runtimeMinHeap*p/100, so whichever term reaches the
// target first sets p: the second one for a heap under 4 MB (at a percent
// computed from the first alone, a 1 MB heap given 15 MB of headroom
// would have a 60 MB goal instead of 16).
func percentFor(base int, headroom, live uint64) int {
	if live == 0 {
		live = 1 << 20
	}
	target := live + headroom
	if live*uint64(100+base)/100 >= target {
		return base
	}
	byLive := ceilDiv(headroom*100, live)
	byMin := ceilDiv(target*100, runtimeMinHeap)
	return max(base, int(min(byLive, byMin, maxPercent)))
}

func ceilDiv(a, b uint64) uint64 { return (a + b - 1) / b }
