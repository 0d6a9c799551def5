package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentFor(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		base           int
		headroom, live uint64
		want           int
	}{
		{25, 16 * mb, 256 * mb, 25},   // a large heap: the base gives more
		{25, 16 * mb, 64 * mb, 25},    // exactly enough
		{25, 16 * mb, 32 * mb, 50},    // 32 MB + 50%
		{25, 32 << 10, 20 * mb, 25},   // two clients: nothing extra
		{25, 16 * mb, 8 * mb, 200},    // 8 MB + 200% = 24 MB
		{25, 15 * mb, 1 * mb, 400},    // the minimum heap term: 4 MB * 4 = 16 MB (not 1 MB * 16 at 1500, a 60 MB goal)
		{25, 15 * mb, 0, 400},         // no GC yet: 1 MB assumed
		{25, 0, 512 << 10, 25},        // no clients
		{25, 3 * mb, 1 * mb, 100},     // 4 MB * 100% = 4 MB
		{100, 16 * mb, 300 * mb, 100}, // a higher base stays
	} {
		got := percentFor(tc.base, tc.headroom, tc.live)
		if got != tc.want {
			t.Errorf("percentFor(%d, %d KB, %d KB) = %d, want %d", tc.base, tc.headroom>>10, tc.live>>10, got, tc.want)
		}
		// The runtime's goal at that percent reaches live+headroom, and
		// not much more unless the base alone gives more.
		live := max(tc.live, mb)
		goal := max(live*uint64(100+got)/100, runtimeMinHeap*uint64(got)/100)
		target := live + tc.headroom
		if goal < target || (got > tc.base && goal > target+target/8) {
			t.Errorf("percentFor(%d, %d KB, %d KB) = %d: goal %d KB, live+headroom %d KB", tc.base, tc.headroom>>10, tc.live>>10, got, goal>>10, target>>10)
		}
	}
}

// TestHeadroomFollowsCollections: after a collection the runtime's GC
// percent (runtime/metrics /gc/gogc:percent) is the one that gives the
// next goal the headroom asked for, which the tuner asks for after every
// collection; Stop restores the base.
func TestHeadroomFollowsCollections(t *testing.T) {
	gogc := func() uint64 {
		s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	defer debug.SetGCPercent(100) // the test binary's default
	var headroom atomic.Uint64
	tu := Headroom(25, func() uint64 { return headroom.Load() })
	defer tu.Stop()
	runtime.GC()
	if p := tu.Percent(); p != 25 {
		t.Fatalf("percent with no headroom = %d, want 25", p)
	}
	headroom.Store(1 << 30) // far above this test's heap
	deadline := time.Now().Add(5 * time.Second)
	for tu.Percent() == 25 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if p := tu.Percent(); p <= 25 {
		t.Fatalf("percent after a GC with a small heap = %d, want > 25", p)
	}
	if got := gogc(); got != uint64(tu.Percent()) {
		t.Errorf("runtime GOGC = %d, tuner set %d", got, tu.Percent())
	}
	tu.Stop()
	if got := gogc(); got != 25 {
		t.Errorf("GOGC after Stop = %d, want 25", got)
	}
}
