// Package server is the only package that knows sockets and goroutines:
// listeners, the per-connection read/execute/flush loop, the periodic
// cron (active expiry, client timeouts) and shutdown.
package server

import (
	"context"
	"errors"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/command"
	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/log"
)

// Version is the Redis version Cinnabar answers as.
const Version = "7.0.15"

// Server is a running Cinnabar instance.
type Server struct {
	cfg *config.Config
	log *log.Logger
	eng *command.Engine

	mu        sync.Mutex
	listeners []net.Listener       // guarded by mu
	conns     map[*conn]struct{}   // guarded by mu
	closing   bool                 // guarded by mu
	done      chan struct{}        // closed by Close
	wg        sync.WaitGroup       // connection and cron goroutines
	shutdown  chan ShutdownRequest // SHUTDOWN command requests
	curBind   []string             // the TCP addresses listened on, guarded by mu
	curPort   int64                // guarded by mu
	loops     []*loop              // event loops (Linux); none: a goroutine per connection
	nloops    int                  // Options.EventLoops
}

// ShutdownRequest is a SHUTDOWN asked for by a client.
type ShutdownRequest struct {
	NoSave, Save bool
}

// Options configure New.
type Options struct {
	Log *log.Logger
	// Now is the clock; tests inject one.
	Now func() time.Time
	// EventLoops is the number of network event loops (Linux): 0 means
	// one per P (GOMAXPROCS), a negative number none (a goroutine per
	// connection, also chosen by the environment CINNABAR_EVENT_LOOP=0).
	EventLoops int
}

// New builds a server from a configuration. It does not listen yet.
func New(cfg *config.Config, o Options) (*Server, error) {
	if o.Log == nil {
		o.Log = log.New(os.Stdout)
	}
	eng, err := command.New(command.Options{Config: cfg, Log: o.Log, Now: o.Now})
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		log:      o.Log,
		eng:      eng,
		conns:    map[*conn]struct{}{},
		done:     make(chan struct{}),
		shutdown: make(chan ShutdownRequest, 1),
		nloops:   o.EventLoops,
	}
	cfg.OnChange("port", s.rebind)
	cfg.OnChange("bind", s.rebind)
	eng.ShutdownFn = func(nosave, save, now, force, abort bool) error {
		if abort {
			// Shutdown is immediate here (no replicas to wait for), so
			// there is never one in progress to abort.
			return errors.New("ERR No shutdown in progress.")
		}
		if err := eng.PrepareShutdown(nosave, save, force); err != nil {
			return err
		}
		select {
		case s.shutdown <- ShutdownRequest{NoSave: nosave}:
		default:
		}
		return nil
	}
	return s, nil
}

// Engine returns the command engine (for tests and embedding).
func (s *Server) Engine() *command.Engine { return s.eng }

// ShutdownRequested delivers SHUTDOWN commands to the owner.
func (s *Server) ShutdownRequested() <-chan ShutdownRequest { return s.shutdown }

// Listen opens the TCP listeners (bind × port) and the unix socket.
func (s *Server) Listen() error {
	port := s.cfg.Port.Load()
	if port != 0 || s.cfg.UnixSocket.Load() == "" {
		lns, err := listenTCP(s.cfg.Bind.Load(), port)
		if err != nil {
			return err
		}
		for _, ln := range lns {
			s.addListener(ln, false)
		}
		s.mu.Lock()
		s.curBind, s.curPort = append([]string(nil), s.cfg.Bind.Load()...), port
		s.mu.Unlock()
	}
	if path := s.cfg.UnixSocket.Load(); path != "" {
		_ = os.Remove(path)
		ln, err := net.Listen("unix", path)
		if err != nil {
			s.closeListeners()
			return errors.New("cannot listen on unix socket " + path + ": " + err.Error())
		}
		if perm := s.cfg.UnixSocketPerm.Load(); perm != 0 {
			_ = os.Chmod(path, os.FileMode(perm))
		}
		s.addListener(ln, true)
	}
	return nil
}

// listenTCP listens on port at every bind address ("-" marks an optional
// one, "*" and "::*" the wildcards, as redis.conf). Port 0 picks a free
// port, shared by every address.
func listenTCP(binds []string, port int64) ([]net.Listener, error) {
	if len(binds) == 0 {
		binds = []string{"*", "-::*"}
	}
	// Plain TCP, as Redis: Go listens with Multipath TCP by default where
	// the kernel has it, and a plain-TCP client's connection to an MPTCP
	// listener cost about 10% of GET -P 16 throughput here.
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	var lns []net.Listener
	for _, b := range binds {
		optional := false
		if len(b) > 0 && b[0] == '-' {
			optional, b = true, b[1:]
		}
		host := b
		switch b {
		case "*":
			host = "0.0.0.0"
		case "::*":
			host = "::"
		}
		ln, err := lc.Listen(context.Background(), "tcp", net.JoinHostPort(host, strconv.FormatInt(port, 10)))
		if err != nil {
			if optional {
				continue
			}
			for _, l := range lns {
				l.Close()
			}
			return nil, errors.New("cannot listen on " + b + ":" + strconv.FormatInt(port, 10) + ": " + err.Error())
		}
		lns = append(lns, ln)
		if port == 0 {
			port = int64(ln.Addr().(*net.TCPAddr).Port)
		}
	}
	return lns, nil
}

// rebind is CONFIG SET port/bind (Redis's changeListener): nothing when
// the address list is unchanged; otherwise the old TCP listeners are
// closed, the new ones opened, and on failure the old ones are reopened
// and the error returned (CONFIG SET then rolls the value back).
func (s *Server) rebind() error {
	binds, port := s.cfg.Bind.Load(), s.cfg.Port.Load()
	s.mu.Lock()
	started := len(s.listeners) > 0
	same := port == s.curPort && slices.Equal(binds, s.curBind)
	s.mu.Unlock()
	if !started || same {
		return nil
	}
	s.closeTCPListeners()
	lns, err := listenTCP(binds, port)
	if err != nil {
		if old, err2 := listenTCP(s.curBind, s.curPort); err2 == nil {
			for _, ln := range old {
				s.addListener(ln, false)
			}
		}
		msg := err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		if msg != "" && msg[0] >= 'a' && msg[0] <= 'z' {
			msg = string(msg[0]-'a'+'A') + msg[1:] // strerror's capital: "Address already in use"
		}
		return errors.New("Unable to listen on this port: " + msg)
	}
	for _, ln := range lns {
		s.addListener(ln, false)
	}
	s.mu.Lock()
	s.curBind, s.curPort = append([]string(nil), binds...), port
	s.mu.Unlock()
	return nil
}

func (s *Server) closeTCPListeners() {
	s.mu.Lock()
	kept := s.listeners[:0]
	for _, ln := range s.listeners {
		if _, ok := ln.Addr().(*net.TCPAddr); ok {
			ln.Close()
		} else {
			kept = append(kept, ln)
		}
	}
	s.listeners = kept
	s.mu.Unlock()
}

func (s *Server) addListener(ln net.Listener, unix bool) {
	s.mu.Lock()
	s.listeners = append(s.listeners, ln)
	s.mu.Unlock()
	if s.loopAccept(ln, unix) {
		return
	}
	s.wg.Add(1)
	go s.acceptLoop(ln, unix)
}

// Addr returns the first TCP listener's address, or nil.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ln := range s.listeners {
		if _, ok := ln.Addr().(*net.TCPAddr); ok {
			return ln.Addr()
		}
	}
	return nil
}

// Start listens and starts the cron. It returns once the server accepts
// connections.
func (s *Server) Start() error {
	if err := s.startLoops(); err != nil {
		return err
	}
	if err := s.Listen(); err != nil {
		s.stopLoops()
		return err
	}
	s.wg.Add(1)
	go s.cron()
	return nil
}

func (s *Server) acceptLoop(ln net.Listener, unix bool) {
	defer s.wg.Done()
	for {
		nc, err := ln.Accept()
		if err != nil {
			select {
			case <-s.done:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Warning("Accepting client connection: ", err.Error())
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.wg.Add(1)
		go s.serveConn(nc, unix, false)
	}
}

func (s *Server) track(c *conn, add bool) {
	s.mu.Lock()
	if add {
		s.conns[c] = struct{}{}
	} else {
		delete(s.conns, c)
	}
	s.mu.Unlock()
}

// cron runs hz times a second: active expiry and client timeouts.
func (s *Server) cron() {
	defer s.wg.Done()
	for {
		hz := s.cfg.Hz.Load()
		if hz < 1 {
			hz = 1
		}
		period := time.Second / time.Duration(hz)
		select {
		case <-s.done:
			return
		case <-time.After(period):
		}
		if s.eng.CronPaused.Load() {
			continue // DEBUG PAUSE-CRON
		}
		// Redis's slow cycle may use 25% of each period, scaled by active-expire-effort.
		effort := s.cfg.ActiveExpireEffort.Load()
		budget := period / 4 * time.Duration(100+2*(effort-1)*10) / 100
		s.eng.RefreshClock()
		s.eng.LatencyAddSampleIfNeeded("expire-cycle", s.eng.KS.ActiveExpireCycle(budget))
		s.eng.TrackingCron() // BCAST invalidations of keys the cycle expired
		s.eng.ReplicationCron()
		s.eng.PersistenceCron()
		s.eng.AOFCron()
		s.closeTimedOut()
	}
}

func (s *Server) closeTimedOut() {
	t := s.cfg.Timeout.Load()
	if t <= 0 {
		return
	}
	now := s.eng.Now().UnixMilli()
	for _, cl := range s.eng.Clients.Snapshot() {
		if cl.Flags()&(command.FlagPubSub|command.FlagBlocked|command.FlagMonitor|command.FlagReplica|command.FlagMaster) != 0 {
			continue
		}
		if now-cl.LastActive() > t*1000 {
			s.log.Verbose("Closing idle client")
			cl.Conn.Close()
		}
	}
}

func (s *Server) closeListeners() {
	s.mu.Lock()
	for _, ln := range s.listeners {
		ln.Close()
	}
	s.listeners = nil
	s.mu.Unlock()
}

// Close stops accepting, disconnects every client and waits for the
// server's goroutines to end.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.closing = true
	close(s.done)
	s.mu.Unlock()
	s.eng.StopReplication()
	s.closeListeners()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.stopLoops()
	s.wg.Wait()
	if path := s.cfg.UnixSocket.Load(); path != "" {
		_ = os.Remove(path)
	}
	return nil
}

// LogStartup writes Redis's start-up banner lines.
func (s *Server) LogStartup(configFile string) {
	s.log.Notice("oO0OoO0OoO0Oo Cinnabar is starting oO0OoO0OoO0Oo")
	s.log.Notice("Cinnabar (Redis ", Version, " compatible) ", runtime.Version(), ", bits=64, pid=", strconv.Itoa(os.Getpid()), ", just started")
	if configFile == "" {
		s.log.Warning("Warning: no config file specified, using the default config. In order to specify a config file use cinnabar /path/to/redis.conf")
	} else {
		s.log.Notice("Configuration loaded")
	}
	s.log.Notice("Running mode=standalone, port=", strconv.FormatInt(s.cfg.Port.Load(), 10), ".")
	s.log.Notice("Server initialized")
	s.log.Notice("Ready to accept connections tcp")
}
