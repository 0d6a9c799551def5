// Package command is Cinnabar's command layer: the command table, the
// dispatch pipeline (Redis's processCommand + call) and the handlers, one
// file per group as Redis's t_*.c. Handlers see a Ctx: the arguments, a
// reply writer that knows the protocol version, the client and the
// selected database. They never touch sockets, so the same handlers serve
// network clients, MULTI, scripts, AOF replay and replication.
package command

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/command/meta"
	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/log"
	"github.com/cinnabar-db/cinnabar/internal/pubsub"
	"github.com/cinnabar-db/cinnabar/internal/resp"
	"github.com/cinnabar-db/cinnabar/internal/script"
)

// LockMode says which shards the dispatcher locks around a handler.
type LockMode uint8

// Lock modes.
const (
	LockKeys LockMode = iota // the shards of the command's keys (none if keyless)
	LockAll                  // every shard: whole-keyspace commands (KEYS, FLUSHALL, SWAPDB...)
	LockSelf                 // none: the handler locks what it needs (SCAN)
)

// Spec binds a command of the metadata table to its handler.
type Spec struct {
	Name    string // full name, lowercase: "get", "config|get"
	Handler func(*Ctx)
	Lock    LockMode
	Meta    *meta.Command

	// commandstats
	Calls    atomic.Int64
	Usec     atomic.Int64
	Rejected atomic.Int64
	Failed   atomic.Int64
	Hist     LatencyHistogram // latency-tracking; Record is called by call
}

// Options configure an Engine.
type Options struct {
	Config *config.Config
	Log    *log.Logger
	// Now is the clock (tests inject one); defaults to time.Now.
	Now func() time.Time
	// Shards is the number of keyspace shards; default 64.
	Shards int
}

// Engine is the server's state as commands see it: keyspace, config,
// clients, statistics. It knows nothing of sockets.
type Engine struct {
	KS      *keyspace.Keyspace
	Cfg     *config.Config
	Log     *log.Logger
	Meta    *meta.Table
	Clients *Clients
	Stats   Stats
	Slowlog Slowlog
	Latency Latency
	PubSub  *pubsub.Registry
	Scripts *script.Engine // EVAL's script cache and FUNCTION's libraries

	specs []*Spec // by meta.Command.ID
	list  []*Spec

	now     func() time.Time
	clockMs atomic.Int64 // cached clock (unix ms), refreshed per batch and per cron tick
	mono    time.Time    // base for cheap monotonic durations
	Started time.Time
	RunID   string

	// Hooks the network layer sets.
	ShutdownFn func(nosave, save, now, force, abort bool) error // SHUTDOWN
	PauseFn    func(until time.Time, writesOnly bool)           // CLIENT PAUSE
	UnpauseFn  func()

	pause    pauseState    // CLIENT PAUSE
	block    blocking      // clients blocked on keys
	watchers watching      // WATCHed keys
	tracking trackingTable // client-side caching (tracking.go)
	scripts  scriptState   // the running script (scripting.go)
	mem      memoryState   // maxmemory: used-memory figure and eviction (evict.go)
	repl     replState     // replication stream, replicas and the master link (repl.go)
	persist  persistState  // RDB saving (persist.go)
	aof      aofState      // the append-only file (aof.go)
	// dumpEncoders keeps rdb.Encoders (each with its LZF hash table) for DUMP.
	dumpEncoders sync.Pool

	// CronPaused is DEBUG PAUSE-CRON: the server cron does nothing.
	CronPaused atomic.Bool

	// DisableDenyScripts is DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may
	// call noscript commands (Redis's test suite uses it).
	DisableDenyScripts atomic.Bool

	// Dirty counts changes since the last save (Redis's server.dirty):
	// every Modified adds one.
	Dirty atomic.Int64

	lastSave    atomic.Int64
	memPeak     atomic.Uint64 // INFO used_memory_peak
	errorsMu    sync.Mutex
	errorCounts map[string]int64 // errorstats, guarded by errorsMu
	errorsTotal atomic.Int64
}

// Stats are the server-wide counters INFO reports.
type Stats struct {
	Commands        atomic.Int64
	NetInput        atomic.Int64
	NetOutput       atomic.Int64
	RejectedCalls   atomic.Int64
	FailedCalls     atomic.Int64
	UnexpectedError atomic.Int64
	// OutbufLimitDisconnections counts clients closed by client-output-buffer-limit.
	OutbufLimitDisconnections atomic.Int64
}

// New builds an engine: the keyspace, the command table, the registries.
func New(o Options) (*Engine, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Shards <= 0 {
		o.Shards = 64
	}
	if o.Log == nil {
		o.Log = log.New(discard{})
	}
	mt, err := meta.Load()
	if err != nil {
		return nil, err
	}
	var id [20]byte
	_, _ = rand.Read(id[:])
	e := &Engine{
		Cfg:         o.Config,
		Log:         o.Log,
		Meta:        mt,
		Clients:     newClients(),
		now:         o.Now,
		mono:        time.Now(),
		Started:     o.Now(),
		RunID:       hex.EncodeToString(id[:]),
		specs:       make([]*Spec, mt.IDs()),
		errorCounts: map[string]int64{},
		PubSub:      pubsub.New(pubsubMatch),
	}
	dbs := 16
	if o.Config != nil {
		dbs = int(o.Config.Databases.Load())
	}
	e.clockMs.Store(o.Now().UnixMilli())
	e.repl.init()
	e.persist.init()
	e.aof.lastRewriteOK.Store(true)
	e.aof.lastWriteOK.Store(true)
	e.aof.seldb = -1
	e.KS = keyspace.New(keyspace.Options{
		Databases: dbs,
		Shards:    o.Shards,
		Now:       e.clockMs.Load,
		OnExpire:  e.onExpire,
		OnAdd:     e.onAdd,
		LFU:       e.lfuParams,
	})
	e.Slowlog.init()
	e.Scripts = newScriptEngine(e)
	e.PauseFn = e.Pause
	e.UnpauseFn = e.Unpause
	e.lastSave.Store(e.Started.Unix())
	for _, group := range [][]*Spec{
		connectionCommands(),
		stringCommands(),
		keyCommands(),
		serverCommands(),
		listCommands(),
		hashCommands(),
		setCommands(),
		sortCommands(),
		zsetCommands(),
		geoCommands(),
		multiCommands(),
		blockingCommands(),
		pubsubCommands(),
		scriptingCommands(),
		dumpCommands(),
		replicationCommands(),
		persistenceCommands(),
		migrateCommands(),
		hyperloglogCommands(),
	} {
		for _, s := range group {
			if err := e.register(s); err != nil {
				return nil, err
			}
		}
	}
	if o.Config != nil {
		// CONFIG SET maxmemory evicts at once (config.c updateMaxmemory).
		o.Config.OnChange("appendonly", e.onAppendonlyChange)
		o.Config.OnChange("repl-backlog-size", e.resizeBacklog)
		o.Config.OnChange("maxmemory", func() error {
			if o.Config.Maxmemory.Load() > 0 {
				e.performEvictions(nil, nil)
			}
			return nil
		})
	}
	return e, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func (e *Engine) register(s *Spec) error {
	name, sub, _ := strings.Cut(s.Name, "|")
	m := e.Meta.Lookup([]byte(name))
	if m != nil && sub != "" {
		m = m.SubLookup([]byte(sub))
	}
	if m == nil {
		return &unknownSpecError{s.Name}
	}
	s.Meta = m
	e.specs[m.ID] = s
	e.list = append(e.list, s)
	return nil
}

type unknownSpecError struct{ name string }

func (e *unknownSpecError) Error() string {
	return "cannot register command " + e.name + ": not in the metadata table"
}

// Now returns the engine clock.
func (e *Engine) Now() time.Time { return e.now() }

// RefreshClock re-reads the clock into the cached millisecond time that
// commands and the keyspace use (Redis's server.mstime). The network layer
// calls it once per batch of pipelined commands, the cron once per tick:
// reading the clock per command costs more than the command itself.
func (e *Engine) RefreshClock() int64 {
	if e.scripts.running.Load() {
		// Time stands still while a script runs, as in Redis, where
		// nothing else runs meanwhile (keys cannot expire mid-script).
		return e.clockMs.Load()
	}
	ms := e.now().UnixMilli()
	if e.clockMs.Load() != ms { // every loop refreshes it: store only a change
		e.clockMs.Store(ms)
	}
	return ms
}

// Elapsed is the engine's monotonic clock: the time since it started.
// Client.ReadStamp and batch starts are on it.
func (e *Engine) Elapsed() time.Duration { return time.Since(e.mono) }

// NowMs returns the cached clock in unix milliseconds.
func (e *Engine) NowMs() int64 { return e.clockMs.Load() }

// Specs returns every implemented command, subcommands included.
func (e *Engine) Specs() []*Spec { return e.list }

// SpecOf returns the implementation of a metadata command, or nil.
func (e *Engine) SpecOf(m *meta.Command) *Spec { return e.specs[m.ID] }

// onExpire runs, shard locked, when the keyspace expires a key.
func (e *Engine) onExpire(db int, key []byte) {
	e.touchWatchedKey(db, key)
	e.trackingInvalidateKey(nil, key, true)
	e.notifyExpired(db, key)
	if e.propagating() {
		e.propagateDeletion(db, key, e.Cfg != nil && e.Cfg.LazyfreeLazyExpire.Load())
	}
}

// countError records an error reply for INFO errorstats.
func (e *Engine) countError(msg string) {
	prefix := msg
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		prefix = msg[:i]
	}
	e.errorsTotal.Add(1)
	e.errorsMu.Lock()
	if _, ok := e.errorCounts[prefix]; ok || len(e.errorCounts) < 128 {
		e.errorCounts[prefix]++
	}
	e.errorsMu.Unlock()
}

// ResetStats is CONFIG RESETSTAT.
func (e *Engine) ResetStats() {
	for _, s := range e.list {
		s.Calls.Store(0)
		s.Usec.Store(0)
		s.Rejected.Store(0)
		s.Failed.Store(0)
		s.Hist.Reset()
	}
	e.Stats.Commands.Store(0)
	e.Stats.NetInput.Store(0)
	e.Stats.NetOutput.Store(0)
	e.Stats.RejectedCalls.Store(0)
	e.Stats.FailedCalls.Store(0)
	e.Stats.UnexpectedError.Store(0)
	e.Clients.Connections.Store(0)
	e.Clients.Rejected.Store(0)
	e.KS.ExpiredKeys.Store(0)
	e.mem.evicted.Store(0)
	e.KS.KeyspaceHits.Store(0)
	e.KS.KeyspaceMisses.Store(0)
	e.errorsMu.Lock()
	e.errorCounts = map[string]int64{}
	e.errorsMu.Unlock()
	e.errorsTotal.Store(0)
}

// Disconnect releases what a departing client holds: its WATCHes, its
// transaction and a blocking wait.
func (e *Engine) Disconnect(cl *Client) {
	e.unwatchAll(cl)
	e.detachReplica(cl)
	e.disableTracking(cl)
	e.pubsubDisconnect(cl)
	cl.multi = nil
	if cl.block.Load() != nil {
		e.FinishBlock(cl, &resp.Writer{}, true)
	}
}
