package interop

import (
	"path/filepath"
	"strconv"
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
	py := python3(t)
	p := start(t)
	script, err := filepath.Abs(filepath.Join("testdata", "watch_lock.py"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := run(t, 60*time.Second, nil, py, script, "127.0.0.1", strconv.Itoa(p.port))
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	if !strings.Contains(out, "watch lock checks passed") {
		t.Fatalf("unexpected output:\n%s", out)
	}
	t.Log(strings.TrimSpace(out))
}
