package script

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"
)

var posInf = math.Inf(1)

// errKilled is the error gopher-lua raises at the next instruction of a
// killed script.
var errKilled = errors.New(msgKilled)

// killCtx is the context a Lua state runs under: gopher-lua checks Done
// before every instruction, which is how SCRIPT KILL and the FUNCTION
// LOAD timeout stop a script (Redis uses a count hook). Once killed, every
// further instruction fails again, so pcall cannot swallow the kill.
//
// It is reused from run to run; a state that was killed gets a fresh one.
// It implements AfterFunc so that the contexts gopher-lua derives for
// coroutines need no goroutine.
type killCtx struct {
	done chan struct{}

	mu     sync.Mutex
	err    error    // guarded by mu
	afters []func() // guarded by mu
}

var _ context.Context = (*killCtx)(nil)

func newKillCtx() *killCtx { return &killCtx{done: make(chan struct{})} }

func (c *killCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *killCtx) Done() <-chan struct{}       { return c.done }
func (c *killCtx) Value(any) any               { return nil }

func (c *killCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// kill cancels the context with err; only the first call counts.
func (c *killCtx) kill(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	close(c.done)
	afters := c.afters
	c.afters = nil
	c.mu.Unlock()
	for _, f := range afters {
		f()
	}
}

// killed reports whether kill was called.
func (c *killCtx) killed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err != nil
}

// AfterFunc lets context.WithCancel propagate our cancellation without a
// goroutine.
func (c *killCtx) AfterFunc(f func()) (stop func() bool) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	c.afters = append(c.afters, f)
	c.mu.Unlock()
	return func() bool { return true }
}

// forgetChildren drops the cancel functions of coroutines of a finished
// run so a reused context does not accumulate them.
func (c *killCtx) forgetChildren() {
	c.mu.Lock()
	c.afters = c.afters[:0]
	c.mu.Unlock()
}
