package command

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/command/meta"
)

// pauseState is CLIENT PAUSE: while active, commands of every client (or
// only writes) wait before they run, until the deadline or CLIENT UNPAUSE.
type pauseState struct {
	active     atomic.Bool
	mu         sync.Mutex
	until      time.Time     // guarded by mu
	writesOnly bool          // guarded by mu
	wake       chan struct{} // closed on unpause or a new pause; guarded by mu
}

// Pause pauses clients until the deadline. A later pause extends, never
// shortens, an earlier one; ALL overrides WRITE, as in Redis.
func (e *Engine) Pause(until time.Time, writesOnly bool) {
	p := &e.pause
	p.mu.Lock()
	if p.active.Load() {
		if until.Before(p.until) {
			until = p.until
		}
		if !p.writesOnly {
			writesOnly = false
		}
	}
	p.until, p.writesOnly = until, writesOnly
	if p.wake != nil {
		close(p.wake)
	}
	p.wake = make(chan struct{})
	p.active.Store(true)
	p.mu.Unlock()
}

// Unpause ends a pause.
func (e *Engine) Unpause() {
	p := &e.pause
	p.mu.Lock()
	p.active.Store(false)
	if p.wake != nil {
		close(p.wake)
		p.wake = nil
	}
	p.mu.Unlock()
}

// Paused reports whether a pause is in effect and whether it is WRITE only.
func (e *Engine) Paused() (paused, writesOnly bool) {
	p := &e.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active.Load() && time.Now().Before(p.until) {
		return true, p.writesOnly
	}
	return false, false
}

// waitPause blocks a command while a pause applies to it.
func (e *Engine) waitPause(cl *Client, m *meta.Command) {
	p := &e.pause
	for p.active.Load() {
		p.mu.Lock()
		now := time.Now()
		if !p.active.Load() || !now.Before(p.until) {
			p.active.Store(false)
			p.mu.Unlock()
			return
		}
		if p.writesOnly && m.FlagMask&(meta.FlagWrite|meta.FlagMayReplicate) == 0 {
			p.mu.Unlock()
			return
		}
		wake, wait := p.wake, p.until.Sub(now)
		p.mu.Unlock()
		if cl.Conn != nil {
			cl.Conn.LongRunning()
		}
		cl.SetFlag(FlagBlocked, true)
		t := time.NewTimer(wait)
		select {
		case <-wake:
		case <-t.C:
		}
		t.Stop()
		cl.SetFlag(FlagBlocked, false)
	}
}

// PauseActive reports whether a CLIENT PAUSE may be in force (the network
// layer then runs batches where they may wait).
func (e *Engine) PauseActive() bool { return e.pause.active.Load() }
