package command

import (
	"strconv"
	"sync"
	"time"
)

// SlowlogEntry is one SLOWLOG GET entry.
type SlowlogEntry struct {
	ID       int64
	Time     int64 // unix seconds
	Duration int64 // microseconds
	Argv     [][]byte
	Addr     string
	Name     string
}

// Slowlog keeps the slowest recent commands (slowlog-* configs).
type Slowlog struct {
	mu      sync.Mutex
	entries []SlowlogEntry // newest first, guarded by mu
	nextID  int64          // guarded by mu
}

func (s *Slowlog) init() {}

// Slowlog argument limits, as Redis's SLOWLOG_ENTRY_MAX_ARGC/STRING.
const (
	slowlogMaxArgc   = 32
	slowlogMaxString = 128
)

func (s *Slowlog) maybeAdd(e *Engine, cl *Client, argv [][]byte, dur time.Duration) {
	if e.Cfg == nil {
		return
	}
	th := e.Cfg.SlowlogLogSlowerThan.Load()
	if th < 0 || dur.Microseconds() < th {
		return
	}
	n := len(argv)
	if n > slowlogMaxArgc {
		n = slowlogMaxArgc
	}
	args := make([][]byte, n)
	for i := 0; i < n; i++ {
		if i == slowlogMaxArgc-1 && len(argv) > slowlogMaxArgc {
			args[i] = []byte("... (" + strconv.Itoa(len(argv)-slowlogMaxArgc+1) + " more arguments)")
			break
		}
		a := argv[i]
		if len(a) > slowlogMaxString {
			b := append([]byte(nil), a[:slowlogMaxString]...)
			args[i] = append(b, "... ("+strconv.Itoa(len(a)-slowlogMaxString)+" more bytes)"...)
		} else {
			args[i] = append([]byte(nil), a...)
		}
	}
	ent := SlowlogEntry{Time: e.now().Unix(), Duration: dur.Microseconds(), Argv: args, Addr: cl.Addr, Name: cl.Name()}
	max := int(e.Cfg.SlowlogMaxLen.Load())
	s.mu.Lock()
	ent.ID = s.nextID
	s.nextID++
	s.entries = append(s.entries, SlowlogEntry{})
	copy(s.entries[1:], s.entries)
	s.entries[0] = ent
	if len(s.entries) > max {
		s.entries = s.entries[:max]
	}
	s.mu.Unlock()
}

// Get returns up to n newest entries (n < 0: all).
func (s *Slowlog) Get(n int) []SlowlogEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 0 || n > len(s.entries) {
		n = len(s.entries)
	}
	return append([]SlowlogEntry(nil), s.entries[:n]...)
}

// Len returns the number of entries.
func (s *Slowlog) Len() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.entries) }

// Reset empties the log.
func (s *Slowlog) Reset() { s.mu.Lock(); s.entries = nil; s.mu.Unlock() }

// Trim applies a new slowlog-max-len.
func (s *Slowlog) Trim(max int) {
	s.mu.Lock()
	if max >= 0 && len(s.entries) > max {
		s.entries = s.entries[:max]
	}
	s.mu.Unlock()
}

// LatencySample is one point of a latency event's history.
type LatencySample struct {
	Time    int64 // unix seconds
	Latency int64 // milliseconds
}

// LatencyEvent is the history of one event ("command", "fast-command", ...).
type LatencyEvent struct {
	Name    string
	Samples []LatencySample // oldest first, at most latencyHistory
	Max     int64
}

const latencyHistory = 160

// Latency is the latency monitor (latency-monitor-threshold).
type Latency struct {
	mu     sync.Mutex
	events map[string]*LatencyEvent // guarded by mu
}

func (l *Latency) maybeAdd(e *Engine, event string, dur time.Duration, fast bool) {
	if e.Cfg == nil {
		return
	}
	th := e.Cfg.LatencyMonitorThreshold.Load()
	ms := dur.Milliseconds()
	if th <= 0 || ms < th {
		return
	}
	if fast && event == "command" {
		event = "fast-command"
	}
	l.Add(event, e.now().Unix(), ms)
}

// Add records a latency sample for event (Redis's latencyAddSample: one
// sample per second, keeping the max of that second).
func (l *Latency) Add(event string, now int64, ms int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.events == nil {
		l.events = map[string]*LatencyEvent{}
	}
	ev := l.events[event]
	if ev == nil {
		ev = &LatencyEvent{Name: event}
		l.events[event] = ev
	}
	if ms > ev.Max {
		ev.Max = ms
	}
	if n := len(ev.Samples); n > 0 && ev.Samples[n-1].Time == now {
		if ms > ev.Samples[n-1].Latency {
			ev.Samples[n-1].Latency = ms
		}
		return
	}
	ev.Samples = append(ev.Samples, LatencySample{Time: now, Latency: ms})
	if len(ev.Samples) > latencyHistory {
		ev.Samples = ev.Samples[1:]
	}
}

// Events returns a copy of every event.
func (l *Latency) Events() []LatencyEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]LatencyEvent, 0, len(l.events))
	for _, ev := range l.events {
		c := *ev
		c.Samples = append([]LatencySample(nil), ev.Samples...)
		out = append(out, c)
	}
	return out
}

// Reset drops the given events (all if none) and returns how many were dropped.
func (l *Latency) Reset(names ...string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(names) == 0 {
		n := len(l.events)
		l.events = nil
		return n
	}
	n := 0
	for _, name := range names {
		if _, ok := l.events[name]; ok {
			delete(l.events, name)
			n++
		}
	}
	return n
}
