package diff

import "testing"

// TestHarnessBasics checks the harness on replies both servers must agree on.
func TestHarnessBasics(t *testing.T) {
	h := Start(t)
	h.Do(t, "PING")
	h.Do(t, "PING", "hello")
	h.Do(t, "ECHO", "x\r\ny")
	h.Do(t, "GET", "nokey")
	h.Do(t, "SET", "k", "v")
	h.Do(t, "GET", "k")
	h.Do(t, "NOSUCHCOMMAND", "a", "b")
	h.Do(t, "GET")
	h.Do(t, "SELECT", "16")
}
