package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercentFor(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		base        int
		floor, live uint64
		want        int
	}{
		{25, 32 * mb, 64 * mb, 25}, // large heap: the base
		{25, 32 * mb, 26 * mb, 25}, // 26 MB * 1.25 is over the floor
		{25, 32 * mb, 8 * mb, 25},  // a quarter of the floor or more: the base
		{25, 32 * mb, 2 * mb, 800}, // the minimum heap term: 4 MB * 8 = 32 MB
		{25, 16 * mb, 1 * mb, 400}, // 4 MB * 4 = 16 MB (not 1 MB * 16 at 1500, a 60 MB goal)
		{25, 16 * mb, 0, 400},      // no GC yet: 1 MB assumed
		{25, 4 * mb, 512 << 10, 100},
	} {
		got := percentFor(tc.base, tc.floor, tc.live)
		if got != tc.want {
			t.Errorf("percentFor(%d, %d MB, %d KB) = %d, want %d", tc.base, tc.floor/mb, tc.live>>10, got, tc.want)
		}
		// The runtime's goal at that percent reaches the floor, and not
		// much more.
		live := max(tc.live, mb)
		goal := max(live*uint64(100+got)/100, runtimeMinHeap*uint64(got)/100)
		if live < tc.floor/4 && (goal < tc.floor || goal > tc.floor+tc.floor/8) {
			t.Errorf("percentFor(%d, %d MB, %d KB) = %d: goal %d MB, floor %d MB", tc.base, tc.floor/mb, tc.live>>10, got, goal/mb, tc.floor/mb)
		}
	}
}

// TestFloorFollowsCollections: after a collection the runtime's GC percent
// (runtime/metrics /gc/gogc:percent) is the one that puts the next goal
// at the floor, and Stop restores the base.
func TestFloorFollowsCollections(t *testing.T) {
	gogc := func() uint64 {
		s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	defer debug.SetGCPercent(100) // the test binary's default
	const floor = 1 << 30         // far above this test's heap
	tu := Floor(25, floor)
	defer tu.Stop()
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
