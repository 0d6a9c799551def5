package interop

import (
	"strings"
	"testing"
	"time"
)

// TestRedisPyWatchLock runs testdata/watch_lock.py: 8 redis-py threads
// increment one counter with the WATCH/MULTI/EXEC check-and-set loop
// (https://redis.io/docs/interact/transactions/), and the final counter
// must be exact; then transfers between two keys with redis-py's
// transaction() helper while MGET readers check the sum never changes.
func TestRedisPyWatchLock(t *testing.T) {
	out := runRedisPy(t, "watch_lock.py", "watch lock checks passed", 60*time.Second)
	t.Log(strings.TrimSpace(out))
}
