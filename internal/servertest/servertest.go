// Package servertest starts in-process Cinnabar servers for tests, like
// net/http/httptest: on 127.0.0.1, a free port, with a clock the test
// controls so expiry is tested without sleeping.
package servertest

import (
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/log"
	"github.com/cinnabar-db/cinnabar/internal/server"
)

// Clock is a manual clock. The zero value is not usable; see NewClock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// Server is a started in-process server.
type Server struct {
	*server.Server
	Addr  string
	Clock *Clock // nil unless started with WithClock
}

// Option changes how Start builds the server.
type Option func(*options)

type options struct {
	clock *Clock
	log   io.Writer
	loops int
}

// WithEventLoops sets the number of network event loops (server.Options.EventLoops):
// 1 puts every connection on one loop, -1 gives each a goroutine.
func WithEventLoops(n int) Option { return func(o *options) { o.loops = n } }

// WithClock makes the server use a manual clock.
func WithClock(c *Clock) Option { return func(o *options) { o.clock = c } }

// WithLog sends the server log to w (default: discarded; set
// CINNABAR_TEST_LOG=1 to see it on stderr).
func WithLog(w io.Writer) Option { return func(o *options) { o.log = w } }

// Start starts a server with redis-server style args (e.g. "--requirepass",
// "x") on 127.0.0.1 and a free port, and stops it when the test ends.
func Start(t testing.TB, args []string, opts ...Option) *Server {
	t.Helper()
	var o options
	for _, f := range opts {
		f(&o)
	}
	base := []string{"--port", "0", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--enable-debug-command", "yes", "--dir", t.TempDir()}
	cfg, err := config.Load(append(base, args...))
	if err != nil {
		t.Fatalf("servertest: bad config: %v", err)
	}
	w := o.log
	if w == nil {
		w = io.Discard
		if os.Getenv("CINNABAR_TEST_LOG") != "" {
			w = os.Stderr
		}
	}
	so := server.Options{Log: log.New(w), EventLoops: o.loops}
	if o.clock != nil {
		so.Now = o.clock.Now
	}
	s, err := server.New(cfg, so)
	if err != nil {
		t.Fatalf("servertest: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("servertest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return &Server{Server: s, Addr: s.Addr().String(), Clock: o.clock}
}

// Dial opens a raw TCP connection to the server.
func (s *Server) Dial(t testing.TB) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatalf("servertest: dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
