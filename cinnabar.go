// Package cinnabar embeds a Redis-compatible server in a Go program:
//
//	srv, err := cinnabar.Start("--port", "0", "--save", "")
//	...
//	addr := srv.Addr() // "127.0.0.1:49152"
//	defer srv.Close()
//
// Arguments are those of the cinnabar command (and of redis-server): an
// optional configuration file followed by --name value options.
package cinnabar

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"

	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/gctune"
	"github.com/cinnabar-db/cinnabar/internal/log"
	"github.com/cinnabar-db/cinnabar/internal/server"
)

// defaultGCPercent is the GOGC the cinnabar command runs with unless the
// environment sets GOGC.
const defaultGCPercent = 25

// gcClientHeadroom is the GC headroom the cinnabar command gives each
// connected client (internal/gctune), up to gcMaxHeadroom: garbage may
// reach what Redis holds per client anyway (its 16 KB reply buffer), and a
// server with little data and many clients no longer collects after every
// few hundred kilobytes (a thousand connecting clients went through
// several collections, each stalling the only core).
const (
	gcClientHeadroom = 16 << 10
	gcMaxHeadroom    = 16 << 20
)

// Server is an in-process Cinnabar server.
type Server struct {
	s *server.Server
}

// Start configures a server from redis-server style arguments, starts it
// and returns once it accepts connections. Its logs are discarded unless
// logfile is set.
func Start(args ...string) (*Server, error) {
	cfg, err := config.Load(args)
	if err != nil {
		return nil, err
	}
	var w io.Writer = io.Discard
	if f := cfg.LogFile.Load(); f != "" {
		lf, err := os.OpenFile(f, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("cannot open log file %s: %w", f, err)
		}
		w = lf
	}
	s, err := server.New(cfg, server.Options{Log: log.New(w)})
	if err != nil {
		return nil, err
	}
	if err := s.Engine().LoadAtStartup(); err != nil {
		return nil, err
	}
	if err := s.Start(); err != nil {
		return nil, err
	}
	s.Engine().StartConfiguredReplication()
	return &Server{s: s}, nil
}

// Addr returns the TCP address the server listens on ("host:port").
func (s *Server) Addr() string {
	if a := s.s.Addr(); a != nil {
		return a.String()
	}
	return ""
}

// Close disconnects every client and stops the server.
func (s *Server) Close() error { return s.s.Close() }

// Main runs the cinnabar command: it parses args, serves until SIGTERM,
// SIGINT or SHUTDOWN, and returns the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-v" || args[0] == "--version") {
		fmt.Fprintln(stdout, "Cinnabar server v="+server.Version+" (Redis-compatible) bits=64")
		return 0
	}
	if os.Getenv("GOGC") == "" {
		// The keyspace keeps its data in pointer-free slabs, so a garbage
		// collection costs little and a low target keeps RSS close to the
		// live data (65 B/key instead of 78 B/key at the default 100).
		debug.SetGCPercent(defaultGCPercent)
	}
	cfg, err := config.Load(args)
	if err != nil {
		var fe *config.FatalError
		if errors.As(err, &fe) {
			fmt.Fprint(stderr, fe.Report()) // redis-server's exact report
		} else {
			fmt.Fprintln(stderr, err.Error())
		}
		return 1
	}
	var w io.Writer = stdout
	if f := cfg.LogFile.Load(); f != "" {
		lf, err := os.OpenFile(f, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintln(stderr, "Can't open the log file: "+err.Error())
			return 1
		}
		defer lf.Close()
		w = lf
	}
	lg := log.New(w)
	lg.SetLevel(int32(cfg.LogLevel.Load()))
	s, err := server.New(cfg, server.Options{Log: lg})
	if err != nil {
		fmt.Fprintln(stderr, err.Error())
		return 1
	}
	if err := s.Engine().LoadAtStartup(); err != nil {
		lg.Warning("Fatal error loading the DB: ", err.Error(), ". Exiting.")
		return 1
	}
	if os.Getenv("GOGC") == "" {
		// Per-client headroom on top of GOGC (see gcClientHeadroom).
		clients := s.Engine().Clients
		tu := gctune.Headroom(defaultGCPercent, func() uint64 {
			return min(uint64(clients.Len())*gcClientHeadroom, gcMaxHeadroom)
		})
		defer tu.Stop()
	}
	if err := s.Start(); err != nil {
		lg.Warning("Failed listening: ", err.Error())
		return 1
	}
	s.Engine().StartConfiguredReplication()
	if pf := cfg.PidFile.Load(); pf != "" {
		_ = os.WriteFile(pf, []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o644)
		defer os.Remove(pf)
	}
	if path := os.Getenv("CINNABAR_CPUPROFILE"); path != "" {
		// Profiling hook for `make bench` investigations.
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	s.LogStartup(cfg.ConfigFile())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case sg := <-sig:
		name := "SIGTERM"
		if sg == syscall.SIGINT {
			name = "SIGINT"
		}
		lg.Warning("Received ", name, " scheduling shutdown...")
		if err := s.Engine().PrepareShutdown(false, false, false); err != nil {
			lg.Warning("Error trying to save the DB: ", err.Error())
		}
	case <-s.ShutdownRequested():
		lg.Warning("User requested shutdown...")
	}
	lg.Notice("Closing the listening sockets and disconnecting clients.")
	s.Close()
	lg.Warning("Cinnabar is now ready to exit, bye bye...")
	return 0
}
