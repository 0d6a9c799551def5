package command

import (
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/command/meta"
	"github.com/cinnabar-db/cinnabar/internal/keyspace"
)

// Conn is what the network layer gives a Client: the means to act on the
// connection from other goroutines (CLIENT KILL, MONITOR, pub/sub).
type Conn interface {
	// Push queues out-of-band protocol bytes (monitor lines, messages) to be
	// written to the client in order with its replies.
	Push(b []byte)
	// PushBulk is Push for bytes outside client-output-buffer-limit (a
	// replica's snapshot).
	PushBulk(b []byte)
	// Close disconnects the client asynchronously.
	Close()
	// Buffers reports query-buffer and output-buffer sizes for CLIENT LIST.
	Buffers() (qbuf, qbufFree, obl, oll, omem int)
	// LongRunning says that the command being run for the client is about
	// to wait (a shard lock held elsewhere, CLIENT PAUSE) or has run for
	// long (a script past busy-reply-threshold): a connection served by a
	// shared event loop moves to a goroutine of its own so that the loop
	// goes on serving its other clients. It may be called from another
	// goroutine than the one running the command.
	LongRunning()
	// WatchDisconnect watches the connection while the running command
	// waits inside its handler (WAIT), after LongRunning: gone is closed
	// when the client disconnects or is killed meanwhile (nil: never).
	// stop must be called before the handler returns.
	WatchDisconnect() (gone <-chan struct{}, stop func())
}

// blocker returns the client's connection as a keyspace.Blocker, or nil.
func (cl *Client) blocker() keyspace.Blocker {
	if cl == nil || cl.Conn == nil {
		return nil
	}
	return cl.Conn
}

// Client flags (CLIENT LIST "flags").
const (
	FlagMonitor uint32 = 1 << iota
	FlagMulti
	FlagPubSub
	FlagBlocked
	FlagCloseAfterReply
	FlagNoEvict
	FlagReplica
	FlagMaster
	FlagUnixSocket
	FlagReadonly
	FlagDirtyExec
	FlagCloseASAP // close at once, dropping pending replies (freeClientAsync)
)

// Reply modes (CLIENT REPLY).
const (
	ReplyOn int32 = iota
	ReplyOff
	ReplySkipNext
	ReplySkip
)

// Client is one connection's state as commands see it. Fields documented
// as "conn goroutine" are only touched by the goroutine serving the
// connection; the rest may be read by others (CLIENT LIST) and are atomic
// or guarded by mu.
type Client struct {
	ID    int64
	Conn  Conn
	Addr  string // remote address, "ip:port" or "/path:0"
	LAddr string
	FD    int

	Created time.Time

	// conn goroutine
	DB            int
	Authenticated bool
	User          string

	proto      atomic.Int32
	dbAtomic   atomic.Int32
	flags      atomic.Uint32
	lastCmd    atomic.Pointer[Spec]
	lastActive atomic.Int64 // unix ms
	ReplyMode  atomic.Int32
	argvMem    atomic.Int64

	// Counts CLIENT LIST shows (sub, psub, ssub, multi); pub/sub and
	// MULTI maintain them.
	Subs, PSubs, SSubs atomic.Int32
	MultiQueued        atomic.Int32

	mu      sync.Mutex
	name    string // guarded by mu
	libName string // guarded by mu
	libVer  string // guarded by mu

	block atomic.Pointer[Waiter] // the wait the client is blocked in, if any
	// replWait is set while the client waits in WAIT: CLIENT UNBLOCK sends
	// on it (true: with an error).
	replWait atomic.Pointer[chan bool]

	multi     *multiState  // MULTI queue (conn goroutine)
	multiFree *multiState  // a finished transaction's state, for reuse
	watched   []watchedKey // WATCHed keys (conn goroutine)
	dirtyCAS  atomic.Bool  // a watched key was modified
	// preOOM is the maxmemory state found when the current command
	// started (server.pre_command_oom_state); scripts check it.
	preOOM bool

	trk clientTracking // client-side caching (tracking.go)

	// ReadStamp is when the running request was read (Engine.Elapsed; conn
	// goroutine): blocked clients are queued in this order.
	ReadStamp int64
	lastT     time.Duration // end of the previous command (since Engine.mono); 0 outside batches
	// batching is set between BeginBatch and EndBatch: the statistics of
	// fast commands then gather in pend (see Engine.run).
	batching bool
	pend     pendingStats

	// scratch state of the dispatcher (conn goroutine)
	ctx    Ctx
	keyBuf []meta.KeyRef
	// EXEC's reused scratch: the keys and shards it locks, its sub-context.
	execKeys   [][]byte
	execShards []int
	execCtx    Ctx
	shardBuf   []int

	// Replication: the execution unit being collected (conn goroutine),
	// the stream offset after the client's last write (WAIT), what it
	// said in REPLCONF and, once attached, its replica record.
	prop    propBuf
	noProp  bool // the AOF loading client: nothing it runs is propagated
	woff    int64
	repl    *replConf
	replica *replicaInfo
}

// Proto returns the RESP version (2 or 3).
func (c *Client) Proto() int { return int(c.proto.Load()) }

// SetProto sets the RESP version.
func (c *Client) SetProto(p int) { c.proto.Store(int32(p)) }

// SelectDB records the selected database.
func (c *Client) SelectDB(i int) { c.DB = i; c.dbAtomic.Store(int32(i)) }

// Flags returns the client's flags.
func (c *Client) Flags() uint32 { return c.flags.Load() }

// SetFlag sets or clears flag f.
func (c *Client) SetFlag(f uint32, on bool) {
	for {
		old := c.flags.Load()
		nf := old &^ f
		if on {
			nf = old | f
		}
		if c.flags.CompareAndSwap(old, nf) {
			return
		}
	}
}

// Name returns the connection name.
func (c *Client) Name() string { c.mu.Lock(); defer c.mu.Unlock(); return c.name }

// SetName sets the connection name.
func (c *Client) SetName(n string) { c.mu.Lock(); c.name = n; c.mu.Unlock() }

// LastActive returns the time of the last command, unix ms.
func (c *Client) LastActive() int64 { return c.lastActive.Load() }

// Touch records activity now (unix ms).
func (c *Client) Touch(ms int64) {
	if c.lastActive.Load() != ms {
		c.lastActive.Store(ms)
	}
}

// Clients is the registry of connected clients.
type Clients struct {
	mu      sync.Mutex
	byID    map[int64]*Client // guarded by mu
	nextID  atomic.Int64
	monitor atomic.Int32 // number of MONITOR clients
	mons    []*Client    // guarded by mu

	// Stats.
	Connections atomic.Int64 // total_connections_received
	Rejected    atomic.Int64 // rejected_connections
}

func newClients() *Clients { return &Clients{byID: map[int64]*Client{}} }

// New registers a new client.
func (cs *Clients) New(conn Conn, addr, laddr string, fd int, now time.Time) *Client {
	c := &Client{ID: cs.nextID.Add(1), Conn: conn, Addr: addr, LAddr: laddr, FD: fd, Created: now}
	c.proto.Store(2)
	c.lastActive.Store(now.UnixMilli())
	cs.mu.Lock()
	cs.byID[c.ID] = c
	cs.mu.Unlock()
	cs.Connections.Add(1)
	return c
}

// Remove unregisters a client.
func (cs *Clients) Remove(c *Client) {
	cs.mu.Lock()
	delete(cs.byID, c.ID)
	if c.Flags()&FlagMonitor != 0 {
		cs.removeMonitorLocked(c)
	}
	cs.mu.Unlock()
}

// Len returns the number of connected clients.
func (cs *Clients) Len() int { cs.mu.Lock(); defer cs.mu.Unlock(); return len(cs.byID) }

// Snapshot returns the clients ordered by ID.
func (cs *Clients) Snapshot() []*Client {
	cs.mu.Lock()
	out := make([]*Client, 0, len(cs.byID))
	for _, c := range cs.byID {
		out = append(out, c)
	}
	cs.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ByID returns a client by ID, or nil.
func (cs *Clients) ByID(id int64) *Client {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.byID[id]
}

// AddMonitor makes c a MONITOR client.
func (cs *Clients) AddMonitor(c *Client) {
	cs.mu.Lock()
	if c.Flags()&FlagMonitor == 0 {
		c.SetFlag(FlagMonitor, true)
		cs.mons = append(cs.mons, c)
		cs.monitor.Add(1)
	}
	cs.mu.Unlock()
}

// RemoveMonitor makes a MONITOR client a normal one again (RESET).
func (cs *Clients) RemoveMonitor(c *Client) {
	cs.mu.Lock()
	if c.Flags()&FlagMonitor != 0 {
		cs.removeMonitorLocked(c)
		c.SetFlag(FlagMonitor, false)
	}
	cs.mu.Unlock()
}

func (cs *Clients) removeMonitorLocked(c *Client) {
	for i, m := range cs.mons {
		if m == c {
			cs.mons = append(cs.mons[:i], cs.mons[i+1:]...)
			cs.monitor.Add(-1)
			break
		}
	}
}

// feedMonitors sends one MONITOR line to every monitor.
func (cs *Clients) feedMonitors(line []byte) {
	cs.mu.Lock()
	for _, m := range cs.mons {
		m.Conn.Push(line)
	}
	cs.mu.Unlock()
}

// monitorLine formats a MONITOR line: +<sec>.<usec> [<db> <addr>] "arg" ...
func monitorLine(dst []byte, now time.Time, db int, addr string, argv [][]byte) []byte {
	dst = append(dst, '+')
	us := now.UnixMicro()
	dst = appendInt(dst, us/1e6)
	dst = append(dst, '.')
	frac := us % 1e6
	for d := int64(100000); d > 0; d /= 10 {
		dst = append(dst, byte('0'+frac/d%10))
	}
	dst = append(dst, " ["...)
	dst = appendInt(dst, int64(db))
	dst = append(dst, ' ')
	dst = append(dst, addr...)
	dst = append(dst, ']')
	for _, a := range argv {
		dst = append(dst, ' ')
		dst = appendRepr(dst, a)
	}
	return append(dst, '\r', '\n')
}

// appendRepr quotes b as Redis's sdscatrepr does.
func appendRepr(dst, b []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, c := range b {
		switch c {
		case '\\', '"':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if c >= 32 && c < 127 {
				dst = append(dst, c)
			} else {
				dst = append(dst, '\\', 'x', hex[c>>4], hex[c&15])
			}
		}
	}
	return append(dst, '"')
}

func appendInt(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }
