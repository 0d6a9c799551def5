package command

import (
	"runtime/debug"
	"strings"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/command/meta"
	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// Ctx is what a handler sees of one command call.
type Ctx struct {
	E    *Engine
	C    *Client
	Argv [][]byte
	W    *resp.Writer
	DB   *keyspace.DB
	Spec *Spec

	// InExec is set for commands run by EXEC; AllLocked when every shard is
	// held (whole-keyspace commands must not lock again). NoBlock makes
	// blocking commands answer at once (scripts).
	InExec    bool
	AllLocked bool
	NoBlock   bool
	InScript  bool // run by redis.call: MONITOR shows it as from "lua"

	failed bool
	dirty  int   // changes made (Modified calls): the command propagates
	prop   uint8 // propRewritten, propPrevent, propForce
}

// Error replies with an error (full text, e.g. "ERR syntax error") and
// counts it for INFO errorstats.
func (c *Ctx) Error(msg string) {
	c.failed = true
	c.W.Error(msg)
	c.E.countError(msg)
}

// WrongArity replies with the arity error of the running command.
func (c *Ctx) WrongArity() { c.Error(errWrongArity(c.Spec.Meta.Name)) }

// Now returns the engine clock in unix milliseconds.
func (c *Ctx) Now() int64 { return c.E.clockMs.Load() }

// Arg returns argv[i] lowercased into a small scratch string, for option
// parsing (no allocation for short words).
func (c *Ctx) Is(i int, word string) bool { return bytesEqualFold(c.Argv[i], word) }

func bytesEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Exec runs one command for client cl, appending its reply to w. It is
// Redis's processCommand followed by call(): lookup, arity, auth,
// protection checks, then the handler under the shard locks its keys
// need. It reports whether the connection should be closed after the
// reply (QUIT, security attacks).
func (e *Engine) Exec(cl *Client, argv [][]byte, w *resp.Writer) (closeConn bool) {
	if len(argv) == 0 {
		return false
	}
	if bytesEqualFold(argv[0], "host:") || bytesEqualFold(argv[0], "post") {
		e.Log.Warning("Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.")
		cl.SetFlag(FlagCloseASAP, true)
		return true
	}
	m := e.Meta.Lookup(argv[0])
	var spec *Spec
	if m != nil && len(m.Subcommands) > 0 && len(argv) > 1 {
		sub := m.SubLookup(argv[1])
		if sub == nil {
			e.reject(cl, nil, w, "ERR unknown subcommand '"+trunc(argv[1], 128)+"'. Try "+strings.ToUpper(string(argv[0]))+" HELP.")
			return false
		}
		m = sub
	}
	if m != nil {
		spec = e.SpecOf(m)
	}
	if spec == nil {
		e.reject(cl, nil, w, unknownCommandError(argv))
		return false
	}
	if (m.Arity > 0 && len(argv) != m.Arity) || len(argv) < -m.Arity {
		e.rejectCommand(cl, spec, argv, w, errWrongArity(m.Name))
		return false
	}
	if m.FlagMask&meta.FlagProtected != 0 && spec.Name == "debug" && !e.allowProtected(e.Cfg.EnableDebugCommand.Load(), cl) {
		e.reject(cl, spec, w, "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")
		return false
	}
	if !cl.Authenticated && m.FlagMask&meta.FlagNoAuth == 0 && e.authRequired() {
		e.rejectCommand(cl, spec, argv, w, ErrNoAuth)
		return false
	}
	if cl.multi != nil && m.FlagMask&meta.FlagNoMulti != 0 {
		e.rejectCommand(cl, spec, argv, w, ErrNotInMulti)
		return false
	}
	if e.Cfg != nil && e.Cfg.Maxmemory.Load() > 0 && cl.Flags()&FlagMaster == 0 && !(e.scripts.running.Load() && e.ScriptBusyError(cl, m) != "") {
		// maxmemory (processCommand): evict, then refuse deny-oom commands,
		// and anything a transaction would queue, while still over the
		// limit. Not while a script is past busy-reply-threshold.
		oom := e.oomCheck(cl, w)
		reject := cl.multi != nil && queueable(spec.Name) // all but EXEC, DISCARD, QUIT, RESET
		if oom && (reject || e.denyOOM(cl, spec, argv)) {
			e.rejectCommand(cl, spec, argv, w, ErrOOM)
			return false
		}
	} else {
		cl.preOOM = false
	}
	if e.Cfg != nil && (e.repl.linked.Load() || e.Cfg.MinReplicasToWrite.Load() > 0) {
		if msg := e.replCheck(cl, spec, m); msg != "" {
			e.rejectCommand(cl, spec, argv, w, msg)
			return false
		}
	}
	if !e.subscribedModeCheck(cl, m, w) {
		return false
	}
	if e.scripts.running.Load() {
		// A script over busy-reply-threshold: others get BUSY (processCommand).
		if msg := e.ScriptBusyError(cl, m); msg != "" {
			e.rejectCommand(cl, spec, argv, w, msg)
			return false
		}
	}
	if e.pause.active.Load() && cl.Flags()&(FlagReplica|FlagMaster) == 0 {
		// Before queueing, as Redis: a write queued in MULTI waits out a
		// PAUSE WRITE, and so does an EXEC whose queue holds one.
		pm := m
		if cl.multi != nil && spec.Name == "exec" {
			if wm := cl.multi.writeMeta(); wm != nil {
				pm = wm
			}
		}
		e.waitPause(cl, pm)
		e.BeginBatch(cl) // the wait is not the command's time
	}
	if cl.multi != nil && queueable(spec.Name) {
		e.queue(cl, spec, argv, w)
		return false
	}
	e.call(cl, spec, argv, w)
	return cl.Flags()&FlagCloseAfterReply != 0
}

// dbFor is database i as client cl works on it: a replica's master
// client sees keys whose time has passed until it deletes them itself
// (keyspace.MasterDB).
func (e *Engine) dbFor(cl *Client, i int) *keyspace.DB {
	if cl != nil && cl.Flags()&FlagMaster != 0 {
		return e.KS.MasterDB(i)
	}
	return e.KS.DB(i)
}

// allowProtected implements enable-debug-command: "yes", "no" or "local".
func (e *Engine) allowProtected(mode int, cl *Client) bool {
	switch mode {
	case config.ProtectedYes:
		return true
	case config.ProtectedLocal:
		return cl.Flags()&FlagUnixSocket != 0 || strings.HasPrefix(cl.Addr, "127.0.0.1:") || strings.HasPrefix(cl.Addr, "[::1]:")
	}
	return false
}

func (e *Engine) authRequired() bool {
	return e.Cfg != nil && e.Cfg.RequirePass.Load() != ""
}

// rejectCommand is reject for a known command: a rejected EXEC ends the
// transaction and is still shown to MONITOR clients (execCommandAbort).
func (e *Engine) rejectCommand(cl *Client, spec *Spec, argv [][]byte, w *resp.Writer, msg string) {
	e.reject(cl, spec, w, msg)
	if spec.Name == "exec" && e.Clients.monitor.Load() > 0 {
		e.Clients.feedMonitors(monitorLine(nil, e.now(), cl.DB, cl.Addr, argv))
	}
}

func (e *Engine) reject(cl *Client, spec *Spec, w *resp.Writer, msg string) {
	// processCommand sets lastcmd before its checks: CLIENT LIST shows a
	// rejected command, and cmd=NULL after an unknown one.
	cl.lastCmd.Store(spec)
	flagTransaction(cl)
	if spec != nil && spec.Name == "exec" {
		e.discardTransaction(cl)
		msg = "EXECABORT Transaction discarded because of: " + trimErrCode(msg)
	}
	if spec != nil {
		spec.Rejected.Add(1)
	}
	e.Stats.RejectedCalls.Add(1)
	w.Error(msg)
	e.countError(msg)
}

func unknownCommandError(argv [][]byte) string {
	var args []byte
	for i := 1; i < len(argv) && len(args) < 128; i++ {
		args = append(args, '\'')
		a := argv[i]
		if room := 128 - len(args) + 1; len(a) > room {
			a = a[:room]
		}
		args = append(args, a...)
		args = append(args, '\'', ' ')
	}
	return "ERR unknown command '" + trunc(argv[0], 128) + "', with args beginning with: " + string(args)
}

func trunc(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// call runs the handler with its shards locked, then serves the clients
// that the command's writes unblocked.
func (e *Engine) call(cl *Client, spec *Spec, argv [][]byte, w *resp.Writer) {
	// The Ctx lives in the client so that it does not escape to the heap
	// per command (handlers take its address).
	ctx := &cl.ctx
	*ctx = Ctx{E: e, C: cl, Argv: argv, W: w, DB: e.dbFor(cl, cl.DB), Spec: spec}
	shards := e.lockFor(cl, spec, argv)
	e.run(ctx)
	ctx.Argv = nil
	if len(cl.prop.ops) > 0 {
		e.flushProp(cl, spec)
	}
	switch {
	case spec.Lock == LockAll:
		e.KS.ReleaseAll()
	case len(shards) > 0:
		e.KS.Release(shards)
	}
	if e.block.pending.Load() {
		e.serveReady()
	}
	if e.trackingDue(cl) {
		e.trackingAfterCall(cl, spec)
	}
}

// run executes a handler whose shards are already locked: MONITOR feed,
// panic recovery and statistics (Redis's call() without propagation).
func (e *Engine) run(ctx *Ctx) {
	cl, spec, argv, w := ctx.C, ctx.Spec, ctx.Argv, ctx.W
	// One clock read per command: a command's duration runs from the end
	// of the previous one (or the start of its batch, see BeginBatch), so
	// it includes the few ns of parsing its request. Clients outside a
	// connection batch (scripts, replay) read the clock twice.
	start := cl.lastT
	if start == 0 {
		start = time.Since(e.mono)
	}
	if cl.pend.spec != nil && cl.pend.spec != spec {
		e.flushPending(&cl.pend) // before the handler: INFO sees the calls before it
	}
	mark := len(w.Buf)
	func() {
		defer func() {
			if r := recover(); r != nil {
				w.Buf = w.Buf[:mark] // drop the half-written reply
				e.Stats.UnexpectedError.Add(1)
				e.Log.Warning("PANIC in command '", spec.Name, "': ", panicString(r), "\n", string(debug.Stack()))
				ctx.Error("ERR internal error while executing '" + spec.Name + "'")
			}
		}()
		spec.Handler(ctx)
	}()
	if e.propagating() {
		e.recordProp(ctx)
	}
	if cl.trk.flags.Load()&trackOn != 0 {
		e.trackingRememberKeys(ctx, argv)
	}
	end := time.Since(e.mono)
	dur := end - start
	if cl.lastT != 0 {
		cl.lastT = end
	}
	if spec.Meta.FlagMask&(meta.FlagAdmin|meta.FlagSkipMonitor) == 0 {
		// After the command, as Redis: EXEC shows after its queued commands,
		// passwords are already redacted in argv, and the database is the
		// client's after the command (SELECT 5 shows as db 5).
		db := cl.DB
		if ctx.InScript {
			db = ctx.DB.ID()
		}
		e.feedMonitors(cl, db, ctx.Argv, ctx.InScript)
	}
	if cl.lastCmd.Load() != spec { // a load is cheaper than a store
		cl.lastCmd.Store(spec)
	}
	if cl.batching && spec.Meta.FlagMask&meta.FlagFast != 0 {
		cl.pend.add(e, spec, dur)
	} else {
		spec.Calls.Add(1)
		spec.Usec.Add(dur.Microseconds())
		e.trackLatency(spec, dur)
		e.Stats.Commands.Add(1)
	}
	if ctx.failed {
		spec.Failed.Add(1)
		e.Stats.FailedCalls.Add(1)
	}
	if spec.Meta.FlagMask&meta.FlagSkipSlowlog == 0 {
		e.Slowlog.maybeAdd(e, cl, argv, dur)
	}
	e.Latency.maybeAdd(e, "command", dur, spec.Meta.FlagMask&meta.FlagFast != 0)
}

// trimErrCode drops the generic "ERR " code of an error text: Redis's
// execCommandAbort quotes the reason as the rejection wrote it, which has
// no code for the rejectCommandFormat errors (arity, ...) but keeps the
// specific ones of the shared errors ("NOAUTH Authentication required.").
func trimErrCode(msg string) string { return strings.TrimPrefix(msg, "ERR ") }

// lockFor locks the shards spec needs for argv and returns them.
func (e *Engine) lockFor(cl *Client, spec *Spec, argv [][]byte) []int {
	switch spec.Lock {
	case LockAll:
		e.KS.LockAllWait(cl.blocker())
		return nil
	case LockSelf:
		return nil
	}
	keys, err := spec.Meta.Keys(argv, cl.keyBuf[:0])
	cl.keyBuf = keys[:0]
	if err != nil || len(keys) == 0 {
		return nil
	}
	shards := cl.shardBuf[:0]
	for _, k := range keys {
		if k.Pos >= len(argv) {
			continue
		}
		shards = insertShard(shards, e.KS.ShardOf(argv[k.Pos]))
	}
	cl.shardBuf = shards
	e.KS.LockWait(shards, cl.blocker())
	return shards
}

func panicString(r any) string {
	switch v := r.(type) {
	case string:
		return v
	case error:
		return v.Error()
	}
	return "non-error panic"
}

// BeginBatch marks the start of a batch of pipelined commands (or the end
// of a wait) for cl: the first command's duration is measured from here.
func (e *Engine) BeginBatch(cl *Client) { e.BeginBatchAt(cl, time.Since(e.mono)) }

// BeginBatchAt is BeginBatch with the time already read (Elapsed).
func (e *Engine) BeginBatchAt(cl *Client, now time.Duration) {
	cl.lastT = now
	cl.batching = true
}

// EndBatch ends a batch begun by BeginBatch: the statistics gathered
// during it go to the shared counters.
func (e *Engine) EndBatch(cl *Client) {
	cl.batching = false
	e.flushPending(&cl.pend)
}

// pendingStats are the statistics of the batch's current run of calls of
// one fast command (a pipeline of GETs), added to the command's shared
// counters once, when another command runs or the batch ends, instead of
// per call: each counter is an atomic that every event loop updates, and
// those adds were a tenth of a pipelined GET's cost. Slow commands (INFO,
// LATENCY, CONFIG RESETSTAT...) are counted at once, and flush the
// pending run before they run, so they see every call before them.
type pendingStats struct {
	spec   *Spec
	calls  int64
	usec   int64
	bucket int   // histogram bucket of the hist calls
	hist   int64 // calls in bucket not yet in spec.Hist
}

func (p *pendingStats) add(e *Engine, spec *Spec, dur time.Duration) {
	if p.spec != spec {
		e.flushPending(p)
		p.spec = spec
	}
	p.calls++
	p.usec += dur.Microseconds()
	if e.latencyTracking() {
		b := histBucket(dur)
		if p.hist > 0 && b != p.bucket {
			spec.Hist.add(p.bucket, p.hist)
			p.hist = 0
		}
		p.bucket = b
		p.hist++
	}
}

func (e *Engine) flushPending(p *pendingStats) {
	if p.spec == nil {
		return
	}
	if s := p.spec; p.calls > 0 {
		s.Calls.Add(p.calls)
		s.Usec.Add(p.usec)
		e.Stats.Commands.Add(p.calls)
		if p.hist > 0 {
			s.Hist.add(p.bucket, p.hist)
		}
	}
	*p = pendingStats{}
}

// feedMonitors sends a command to the MONITOR clients (Redis's
// replicationFeedMonitors), after it ran: passwords are already redacted.
// Commands run by a script show "lua" as their address.
func (e *Engine) feedMonitors(cl *Client, db int, argv [][]byte, script bool) {
	if e.Clients.monitor.Load() == 0 {
		return
	}
	addr := cl.Addr
	if script {
		addr = "lua"
	}
	e.Clients.feedMonitors(monitorLine(nil, e.now(), db, addr, argv))
}
