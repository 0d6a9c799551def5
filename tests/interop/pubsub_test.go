package interop

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRedisPyPubSub runs testdata/pubsub_patterns.py: redis-py's PubSub
// object (channels, patterns, a worker thread, keyspace notifications,
// disconnect clean-up) against the cinnabar binary.
func TestRedisPyPubSub(t *testing.T) {
	py := python3(t)
	p := start(t)
	script, err := filepath.Abs(filepath.Join("testdata", "pubsub_patterns.py"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := run(t, 60*time.Second, nil, py, script, "127.0.0.1", strconv.Itoa(p.port))
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	if !strings.Contains(out, "redis-py pubsub checks passed") {
		t.Fatalf("unexpected output:\n%s", out)
	}
}
