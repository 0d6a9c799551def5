package interop

import (
	"testing"
	"time"
)

// TestRedisPyPubSub runs testdata/pubsub_patterns.py: redis-py's PubSub
// object (channels, patterns, a worker thread, keyspace notifications,
// disconnect clean-up) against the cinnabar binary.
func TestRedisPyPubSub(t *testing.T) {
	runRedisPy(t, "pubsub_patterns.py", "redis-py pubsub checks passed", 60*time.Second)
}
