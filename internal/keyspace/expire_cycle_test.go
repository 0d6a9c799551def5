package keyspace

import (
	"testing"
	"time"
)

// ActiveExpireCycle reports the time it ran with a shard locked, not the
// time it waited for a shard a command held: that wait is not the cycle's
// latency (LATENCY's expire-cycle; Redis's single thread never waits).
func TestActiveExpireCycleBusyExcludesLockWait(t *testing.T) {
	ks, clk := newTestKS(4)
	db := ks.DB(0)
	key := []byte("k")
	shard := []int{ks.ShardOf(key)}
	ks.Lock(shard)
	db.SetString(key, []byte("v"), clk.ms+1, false)
	clk.ms += 2
	done := make(chan time.Duration)
	start := time.Now()
	go func() { done <- ks.ActiveExpireCycle(time.Second) }()
	time.Sleep(100 * time.Millisecond) // the cycle waits for the shard
	ks.Release(shard)
	busy := <-done
	if wall := time.Since(start); busy <= 0 || busy >= wall-50*time.Millisecond {
		t.Errorf("cycle busy %v of %v wall time; want > 0 and without the 100 ms wait", busy, wall)
	}
	ks.LockAll()
	if n := db.Len(); n != 0 {
		t.Errorf("stale key left: %d keys", n)
	}
	ks.ReleaseAll()
}
