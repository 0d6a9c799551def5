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
	// blocked holds the arguments of the commands of blocked clients: they
	// are logged when served (Redis's updateStatsOnUnblock), not when they
	// block. Guarded by mu.
	blocked map[*Client]parkedCommand
}

// parkedCommand is a blocked client's command waiting to be logged.
type parkedCommand struct {
	argv [][]byte      // already trimmed and copied
	dur  time.Duration // the time of the call that blocked
}

func (s *Slowlog) init() {}

// Slowlog argument limits, as Redis's SLOWLOG_ENTRY_MAX_ARGC/STRING.
const (
	slowlogMaxArgc   = 32
	slowlogMaxString = 128
)

// maybeAdd logs a command that ran for dur if slowlog-log-slower-than
// says so (slowlogPushCurrentCommand). argv is the client's command as it
// sent it, secrets redacted; a command that blocked the client is logged
// when the client is served (see unblocked).
func (s *Slowlog) maybeAdd(e *Engine, cl *Client, argv [][]byte, dur time.Duration) {
	if e.Cfg == nil {
		return
	}
	if cl.block.Load() != nil {
		s.mu.Lock()
		if s.blocked == nil {
			s.blocked = map[*Client]parkedCommand{}
		}
		s.blocked[cl] = parkedCommand{argv: slowlogArgs(argv), dur: dur}
		s.mu.Unlock()
		return
	}
	if !slowlogWants(e, dur) {
		return
	}
	s.push(e, cl, slowlogArgs(argv), dur)
}

// unblocked ends the wait of a blocked client: its command is logged if it
// was served (updateStatsOnUnblock), forgotten if it timed out, was
// unblocked or the client went away.
func (s *Slowlog) unblocked(e *Engine, cl *Client, served bool) {
	s.mu.Lock()
	p, ok := s.blocked[cl]
	if ok {
		delete(s.blocked, cl)
	}
	s.mu.Unlock()
	if ok && served && slowlogWants(e, p.dur) {
		s.push(e, cl, p.argv, p.dur)
	}
}

func slowlogWants(e *Engine, dur time.Duration) bool {
	if e.Cfg == nil {
		return false
	}
	th := e.Cfg.SlowlogLogSlowerThan.Load()
	return th >= 0 && dur.Microseconds() >= th
}

// slowlogArgs copies argv for an entry, trimmed as slowlogCreateEntry
// does: at most 32 arguments, each at most 128 bytes.
func slowlogArgs(argv [][]byte) [][]byte {
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
	return args
}

func (s *Slowlog) push(e *Engine, cl *Client, args [][]byte, dur time.Duration) {
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

// LatencyAddSampleIfNeeded records dur for event ("expire-cycle"...) if
// it reaches latency-monitor-threshold (latencyAddSampleIfNeeded).
func (e *Engine) LatencyAddSampleIfNeeded(event string, dur time.Duration) {
	e.Latency.maybeAdd(e, event, dur, false)
}
