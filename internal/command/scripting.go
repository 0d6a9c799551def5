package command

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/command/meta"
	"github.com/cinnabar-db/cinnabar/internal/resp"
	"github.com/cinnabar-db/cinnabar/internal/script"
)

// Scripting: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT, FCALL, FCALL_RO
// and FUNCTION (Redis's eval.c, functions.c and script.c). The Lua side
// lives in internal/script; this file is its host.
//
// A script is atomic over every key it touches, declared or not, so these
// commands lock every shard (LockAll) and the commands a script calls run
// through Engine.run without locking again (Ctx.AllLocked), as EXEC's do.
// At most one script runs at a time: the running one is recorded in
// Engine.scripts so that SCRIPT KILL, FUNCTION KILL and FUNCTION STATS,
// which are keyless and so lock nothing, can reach it from another
// connection.
//
// Lock order: shard locks -> scriptState.mu (a leaf).

func scriptingCommands() []*Spec {
	return []*Spec{
		{Name: "eval", Handler: evalCommand, Lock: LockAll},
		{Name: "evalsha", Handler: evalShaCommand, Lock: LockAll},
		{Name: "eval_ro", Handler: evalRoCommand, Lock: LockAll},
		{Name: "evalsha_ro", Handler: evalShaRoCommand, Lock: LockAll},
		{Name: "fcall", Handler: fcallCommand, Lock: LockAll},
		{Name: "fcall_ro", Handler: fcallRoCommand, Lock: LockAll},
		{Name: "script", Handler: containerCommand},
		{Name: "script|help", Handler: scriptHelpCommand},
		{Name: "script|load", Handler: scriptLoadCommand},
		{Name: "script|exists", Handler: scriptExistsCommand},
		{Name: "script|flush", Handler: scriptFlushCommand},
		{Name: "script|kill", Handler: scriptKillCommand},
		{Name: "function", Handler: containerCommand},
		{Name: "function|help", Handler: functionHelpCommand},
		{Name: "function|load", Handler: functionLoadCommand},
		{Name: "function|delete", Handler: functionDeleteCommand},
		{Name: "function|flush", Handler: functionFlushCommand},
		{Name: "function|list", Handler: functionListCommand},
		{Name: "function|stats", Handler: functionStatsCommand},
		{Name: "function|kill", Handler: functionKillCommand},
		{Name: "function|dump", Handler: functionDumpCommand},
		{Name: "function|restore", Handler: functionRestoreCommand},
	}
}

// scriptState is the engine's record of the running script.
type scriptState struct {
	mu      sync.Mutex
	cur     *scriptRun  // guarded by mu; nil when no script runs
	running atomic.Bool // cur != nil: the dispatcher's cheap BUSY pre-check
	// overdue fires busy-reply-threshold after a script starts and tells
	// its connection (Conn.LongRunning), so that an event loop it shares
	// with other clients goes on serving them: they get BUSY, and SCRIPT
	// KILL can reach the engine. Resetting a timer for every script costs
	// more than a short script's run, so it is armed by the first script
	// that finds it idle and, when it fires early for a later script,
	// armed again for the rest of that script's time (scriptOverdue).
	overdue *time.Timer   // guarded by mu
	armed   bool          // guarded by mu: overdue will fire, at due
	due     time.Duration // guarded by mu; since Engine.mono
	// spare is the scriptRun of the last script, reused by the next one
	// (scripts run one at a time: every shard is held).
	spare *scriptRun // guarded by mu
}

// scriptRun is one EVAL or FCALL in progress (Redis's scriptRunCtx). It
// is the Run.Client the script package hands back to the host.
type scriptRun struct {
	run   script.Run
	c     *Ctx          // the EVAL/FCALL call itself
	cl    *Client       // its client (read by other goroutines: c is the client's reused Ctx)
	db    int           // the script's selected database (SELECT inside a script)
	eval  bool          // SCRIPT_EVAL_MODE
	name  string        // the script's SHA1 or the function's name
	start time.Duration // when it started, since Engine.mono
	dirty atomic.Bool   // SCRIPT_WRITE_DIRTY: a write command ran
	sub   Ctx           // the context of the command being called

	// The command redis.call ran last, by its name as the script spelled
	// it, so that a loop calling one command looks it up once (a command
	// with subcommands is looked up every time). The table is fixed once
	// the engine is built, so this stays valid from script to script.
	lastName []byte
	lastMeta *meta.Command
	lastSpec *Spec
}

// scriptHost is the Engine as scripts see it (script.Host).
type scriptHost struct{ e *Engine }

var _ script.Host = (*scriptHost)(nil)

func newScriptEngine(e *Engine) *script.Engine {
	return script.New(script.Config{Host: &scriptHost{e}})
}

// Call is scriptCall: Redis's checks, then the command under the locks the
// script already holds.
func (h *scriptHost) Call(r *script.Run, argv [][]byte, w *resp.Writer) {
	e := h.e
	sr := r.Client.(*scriptRun)
	cl := sr.c.C
	var m *meta.Command
	var spec *Spec
	if sr.lastMeta != nil && string(sr.lastName) == string(argv[0]) {
		m, spec = sr.lastMeta, sr.lastSpec
	} else {
		m = e.Meta.Lookup(argv[0])
		if m != nil && len(m.Subcommands) > 0 {
			if len(argv) > 1 {
				m = m.SubLookup(argv[1])
			}
		} else if m != nil {
			sr.lastName = append(sr.lastName[:0], argv[0]...)
			sr.lastMeta, sr.lastSpec = m, e.SpecOf(m)
		}
		if m == nil {
			e.scriptReject(nil, w, script.ErrCallUnknown)
			return
		}
		spec = e.SpecOf(m)
	}
	if (m.Arity > 0 && len(argv) != m.Arity) || len(argv) < -m.Arity {
		e.scriptReject(spec, w, script.ErrCallArity)
		return
	}
	if m.FlagMask&meta.FlagNoscript != 0 && !e.DisableDenyScripts.Load() {
		e.scriptReject(spec, w, script.ErrCallNoScript)
		return
	}
	if spec == nil { // in the table but not implemented yet
		e.scriptReject(nil, w, script.ErrCallUnknown)
		return
	}
	if r.Flags&script.RunReadOnly != 0 && m.FlagMask&(meta.FlagWrite|meta.FlagMayReplicate) != 0 {
		e.scriptReject(spec, w, script.ErrCallWriteReadOnly)
		return
	}
	// scriptVerifyOOM: past maxmemory when the script started, its first
	// write may not be a deny-oom command (unless the script allows OOM).
	if r.Flags&script.RunAllowOOM == 0 && cl.preOOM && !sr.dirty.Load() && cl.Flags()&FlagMaster == 0 &&
		m.FlagMask&meta.FlagDenyOOM != 0 && e.Cfg != nil && e.Cfg.Maxmemory.Load() > 0 {
		e.scriptReject(spec, w, ErrOOM)
		return
	}
	if m.FlagMask&meta.FlagWrite != 0 {
		// scriptVerifyWriteCommandAllow: READONLY replica, NOREPLICAS.
		if e.Cfg != nil && (e.repl.linked.Load() || e.Cfg.MinReplicasToWrite.Load() > 0) {
			if msg := e.writeRefusal(cl); msg != "" {
				e.scriptReject(spec, w, msg)
				return
			}
		}
		sr.dirty.Store(true)
	}
	// The script has its own selected database: run the command in it and
	// keep what a SELECT inside made of it for the script only.
	callerDB, lastT := cl.DB, cl.lastT
	cl.DB, cl.lastT = sr.db, 0
	sub := &sr.sub
	*sub = Ctx{E: e, C: cl, Argv: argv, W: w, DB: e.dbFor(cl, sr.db), Spec: spec, AllLocked: true, NoBlock: true, InScript: true}
	e.run(sub)
	sr.db = cl.DB
	cl.SelectDB(callerDB)
	cl.lastT = lastT
}

// scriptReject answers a redis.call that scriptCall refuses: the error
// counts in errorstats and as a rejected call of the command.
func (e *Engine) scriptReject(spec *Spec, w *resp.Writer, msg string) {
	w.Error(msg)
	e.countError(msg)
	if spec != nil {
		spec.Rejected.Add(1)
	}
	e.Stats.RejectedCalls.Add(1)
}

// ACLCheck is redis.acl_check_cmd. Cinnabar has no ACL users yet: every
// known command is allowed.
func (h *scriptHost) ACLCheck(r *script.Run, argv [][]byte) (allowed, known bool) {
	e := h.e
	m := e.Meta.Lookup(argv[0])
	if m != nil && len(m.Subcommands) > 0 && len(argv) > 1 {
		m = m.SubLookup(argv[1])
	}
	if m == nil {
		return false, false
	}
	return true, true
}

// Log is redis.log; the script package's levels are the logger's.
func (h *scriptHost) Log(level int, msg string) { h.e.Log.Log(int32(level), msg) }

// ErrorReply counts an error reply the script sends to its caller (its
// final reply or one nested in it), as afterErrorReply does, and so makes
// the EVAL or FCALL a failed call. An error of a command the script ran
// (counted) was already counted in errorstats when that command failed
// or was rejected: Redis replies it with ERR_REPLY_FLAG_NO_STATS_UPDATE,
// for which afterErrorReply counts a failed call of the caller's command
// at once, every time. Any other error (the script's own) is counted now,
// and call()'s incrCommandStatsOnError then finds the command failed,
// once however many there were. (A script returning two pcall errors and
// an error_reply makes EVAL calls=1, failed_calls=3 in Redis 7.0.)
func (h *scriptHost) ErrorReply(r *script.Run, msg string, counted bool) {
	sr := r.Client.(*scriptRun)
	if counted {
		if sr.c.Spec != nil {
			sr.c.Spec.Failed.Add(1)
		}
		h.e.Stats.FailedCalls.Add(1)
		return
	}
	sr.c.failed = true
	h.e.countError(msg)
}

// scriptServerState is what scriptPrepareForRun checks for client cl:
// maxmemory as found when the command started (pre_command_oom_state),
// and the replication state (read-only or stale replica, too few good
// replicas). Cinnabar has no persistence write errors yet.
func (e *Engine) scriptServerState(cl *Client) script.ServerState {
	st := script.ServerState{OOM: cl.preOOM && e.Cfg != nil && e.Cfg.Maxmemory.Load() > 0}
	if e.Cfg == nil || cl.Flags()&FlagMaster != 0 {
		return st
	}
	if e.repl.linked.Load() {
		st.ReadOnlyReplica = e.Cfg.ReplicaReadOnly.Load()
		st.Stale = e.staleRefusal(cl) != ""
	} else if n := e.Cfg.MinReplicasToWrite.Load(); n > 0 && e.Cfg.MinReplicasMaxLag.Load() > 0 {
		st.NoGoodReplicas = int64(e.goodReplicas()) < n
	}
	return st
}

// beginScript records a script run by c as the running script and
// returns its scriptRun, which endScript takes back.
func (e *Engine) beginScript(c *Ctx, name string, eval, ro bool) *scriptRun {
	start := e.monoNow()
	ss := &e.scripts
	ss.mu.Lock()
	sr := ss.spare
	ss.spare = nil
	if sr == nil {
		sr = new(scriptRun)
	} else {
		sr.run.Reset()
		sr.dirty.Store(false)
	}
	sr.c = c
	sr.cl = c.C
	sr.name = name
	sr.db = c.C.DB
	sr.eval = eval
	sr.start = start
	sr.run.Client = sr
	sr.run.ReadOnly = ro
	ss.cur = sr
	ss.running.Store(true)
	// (busy-reply-threshold may have been lowered since the timer was
	// armed: then it is armed again.)
	limit := e.busyLimit()
	if due := start + limit; !ss.armed || ss.due > due {
		if ss.overdue == nil {
			ss.overdue = time.AfterFunc(limit, e.scriptOverdue)
		} else {
			ss.overdue.Reset(limit)
		}
		ss.armed, ss.due = true, due
	}
	ss.mu.Unlock()
	return sr
}

// endScript clears the running script; sr is kept for the next one. (Other
// goroutines read a scriptRun only under mu while it is the current one.)
func (e *Engine) endScript(sr *scriptRun) {
	ss := &e.scripts
	ss.mu.Lock()
	ss.cur = nil
	ss.running.Store(false)
	sr.c, sr.cl, sr.run.Client, sr.sub = nil, nil, nil, Ctx{}
	ss.spare = sr
	ss.mu.Unlock()
}

// monoNow is the monotonic clock as a duration since Engine.mono (one
// clock read, where time.Now takes two).
func (e *Engine) monoNow() time.Duration { return time.Since(e.mono) }

// busyLimit is busy-reply-threshold.
func (e *Engine) busyLimit() time.Duration {
	if e.Cfg != nil {
		return time.Duration(e.Cfg.BusyReplyThreshold.Load()) * time.Millisecond
	}
	return 5000 * time.Millisecond
}

// scriptOverdue runs when overdue fires: the running script, if it has
// passed busy-reply-threshold, is reported to its connection; one that
// started later gets the timer again for the rest of its time.
func (e *Engine) scriptOverdue() {
	ss := &e.scripts
	ss.mu.Lock()
	var conn Conn
	sr := ss.cur
	switch {
	case sr == nil:
		ss.armed = false
	default:
		now := e.monoNow()
		if left := e.busyLimit() - (now - sr.start); left > 0 {
			ss.overdue.Reset(left)
			ss.due = now + left
		} else {
			ss.armed = false
			conn = sr.cl.Conn
		}
	}
	ss.mu.Unlock()
	if conn != nil {
		conn.LongRunning()
	}
}

// parseNumKeys is the numkeys check of EVAL and FCALL; notInt is the reply
// for a number that does not parse.
func parseNumKeys(c *Ctx, notInt string) (int, bool) {
	n, ok := parseInt(c.Argv[2])
	switch {
	case !ok:
		c.Error(notInt)
		return 0, false
	case n > int64(len(c.Argv)-3):
		c.Error(script.ErrNumKeysTooBig)
		return 0, false
	case n < 0:
		c.Error(script.ErrNumKeysNegative)
		return 0, false
	}
	return int(n), true
}

func evalCommand(c *Ctx)      { evalGeneric(c, false, false) }
func evalRoCommand(c *Ctx)    { evalGeneric(c, false, true) }
func evalShaCommand(c *Ctx)   { evalGeneric(c, true, false) }
func evalShaRoCommand(c *Ctx) { evalGeneric(c, true, true) }

// evalGeneric is evalShaCommand + evalGenericCommand.
func evalGeneric(c *Ctx, sha, ro bool) {
	// Fed to MONITOR here, before the commands the script runs (EVAL is
	// skip_monitor in the table), as evalCommand does.
	c.E.feedMonitors(c.C, c.DB.ID(), c.Argv, false)
	se := c.E.Scripts
	if sha && len(c.Argv[1]) != 40 {
		c.Error(script.ErrNoScript)
		return
	}
	numkeys, ok := parseNumKeys(c, ErrNotInt)
	if !ok {
		return
	}
	var s *script.Script
	if sha {
		if s = se.Lookup(c.Argv[1]); s == nil {
			c.Error(script.ErrNoScript)
			return
		}
	} else {
		var err error
		if s, err = se.Load(c.Argv[1]); err != nil {
			c.Error(err.Error())
			return
		}
	}
	if msg := script.PrepareError(s.Flags, ro, c.E.scriptServerState(c.C)); msg != "" {
		c.Error(msg)
		return
	}
	sr := c.E.beginScript(c, s.SHA, true, ro)
	defer c.E.endScript(sr)
	keys := c.Argv[3 : 3+numkeys]
	se.Eval(&sr.run, s, keys, c.Argv[3+numkeys:], c.W)
}

func fcallCommand(c *Ctx)   { fcallGeneric(c, false) }
func fcallRoCommand(c *Ctx) { fcallGeneric(c, true) }

// fcallGeneric is fcallCommandGeneric.
func fcallGeneric(c *Ctx, ro bool) {
	c.E.feedMonitors(c.C, c.DB.ID(), c.Argv, false) // before its commands, as fcallCommandGeneric
	se := c.E.Scripts
	f := se.Function(c.Argv[1])
	if f == nil {
		c.Error(script.ErrFunctionNotFound)
		return
	}
	numkeys, ok := parseNumKeys(c, script.ErrBadNumKeys)
	if !ok {
		return
	}
	if msg := script.PrepareError(f.Flags, ro, c.E.scriptServerState(c.C)); msg != "" {
		c.Error(msg)
		return
	}
	sr := c.E.beginScript(c, f.Name, false, ro)
	defer c.E.endScript(sr)
	se.FCall(&sr.run, f, c.Argv[3:3+numkeys], c.Argv[3+numkeys:], c.W)
}

func scriptHelpCommand(c *Ctx) {
	writeHelp(c,
		"DEBUG (YES|SYNC|NO)",
		"    Set the debug mode for subsequent scripts executed.",
		"EXISTS <sha1> [<sha1> ...]",
		"    Return information about the existence of the scripts in the script cache.",
		"FLUSH [ASYNC|SYNC]",
		"    Flush the Lua scripts cache. Very dangerous on replicas.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the scripts cache.",
		"    * SYNC: Synchronously flush the scripts cache.",
		"KILL",
		"    Kill the currently executing Lua script.",
		"LOAD <script>",
		"    Load a script into the scripts cache without executing it.",
	)
}

func scriptLoadCommand(c *Ctx) {
	s, err := c.E.Scripts.Load(c.Argv[2])
	if err != nil {
		c.Error(err.Error())
		return
	}
	c.W.BulkString(s.SHA)
}

func scriptExistsCommand(c *Ctx) {
	c.W.Array(len(c.Argv) - 2)
	for _, sha := range c.Argv[2:] {
		if c.E.Scripts.Exists(sha) {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
	}
}

// scriptFlushArg checks the optional ASYNC|SYNC of SCRIPT FLUSH and FUNCTION
// FLUSH. Both flush at once: the caches are small next to a keyspace.
func scriptFlushArg(c *Ctx) bool {
	return len(c.Argv) == 2 || (len(c.Argv) == 3 && (c.Is(2, "sync") || c.Is(2, "async")))
}

func scriptFlushCommand(c *Ctx) {
	if !scriptFlushArg(c) {
		c.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
		return
	}
	c.E.Scripts.Flush()
	c.W.OK()
}

func scriptKillCommand(c *Ctx)   { scriptKill(c, true) }
func functionKillCommand(c *Ctx) { scriptKill(c, false) }

// scriptKill is script.c's scriptKill.
func scriptKill(c *Ctx, eval bool) {
	e := c.E
	e.scripts.mu.Lock()
	defer e.scripts.mu.Unlock()
	sr := e.scripts.cur
	switch {
	case sr == nil:
		c.Error(script.ErrNotBusy)
	case sr.cl.Flags()&FlagMaster != 0:
		c.Error(script.ErrUnkillableMaster)
	case sr.dirty.Load():
		c.Error(script.ErrUnkillableWritten)
	case eval && !sr.eval:
		c.Error(script.ErrBusyFunction)
	case !eval && sr.eval:
		c.Error(script.ErrBusyScript)
	default:
		sr.run.Kill()
		c.W.OK()
	}
}

func functionHelpCommand(c *Ctx) {
	writeHelp(c,
		"LOAD [REPLACE] <FUNCTION CODE>",
		"    Create a new library with the given library name and code.",
		"DELETE <LIBRARY NAME>",
		"    Delete the given library.",
		"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
		"    Return general information on all the libraries:",
		"    * Library name",
		"    * The engine used to run the Library",
		"    * Library description",
		"    * Functions list",
		"    * Library code (if WITHCODE is given)",
		"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
		"STATS",
		"    Return information about the current function running:",
		"    * Function name",
		"    * Command used to run the function",
		"    * Duration in MS that the function is running",
		"    If no function is running, return nil",
		"    In addition, returns a list of available engines.",
		"KILL",
		"    Kill the current running function.",
		"FLUSH [ASYNC|SYNC]",
		"    Delete all the libraries.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the libraries.",
		"    * SYNC: Synchronously flush the libraries.",
		"DUMP",
		"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
		"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
		"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
		"    control how to handle existing libraries (default APPEND):",
		"    * FLUSH: delete all existing libraries.",
		"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
		"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
		"      libraries with the new libraries (notice that even on this option there is a chance of failure",
		"      in case of functions name collision with another library).",
	)
}

// functionLoadCommand is FUNCTION LOAD [REPLACE] code.
func functionLoadCommand(c *Ctx) {
	replace := false
	i := 2
	for ; i < len(c.Argv)-1; i++ {
		if !c.Is(i, "replace") {
			c.Error("ERR Unknown option given: " + string(c.Argv[i]))
			return
		}
		replace = true
	}
	if i >= len(c.Argv) {
		c.Error("ERR Function code is missing")
		return
	}
	timeout := script.LoadTimeout
	if c.C.Flags()&FlagMaster != 0 {
		timeout = 0
	}
	lib, err := c.E.Scripts.LoadLibrary(c.Argv[i], replace, timeout)
	if err != nil {
		c.Error(err.Error())
		return
	}
	c.Dirty()
	c.W.BulkString(lib.Name)
}

func functionDeleteCommand(c *Ctx) {
	if !c.E.Scripts.DeleteLibrary(string(c.Argv[2])) {
		c.Error("ERR Library not found")
		return
	}
	c.Dirty()
	c.W.OK()
}

func functionFlushCommand(c *Ctx) {
	if len(c.Argv) > 3 {
		subcommandSyntaxError(c)
		return
	}
	if !scriptFlushArg(c) {
		c.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
		return
	}
	c.E.Scripts.FlushLibraries()
	c.Dirty()
	c.W.OK()
}

// functionListCommand is FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE].
func functionListCommand(c *Ctx) {
	withCode := false
	var pattern []byte
	hasPattern := false
	for i := 2; i < len(c.Argv); i++ {
		if !withCode && c.Is(i, "withcode") {
			withCode = true
			continue
		}
		if !hasPattern && c.Is(i, "libraryname") {
			if i >= len(c.Argv)-1 {
				c.Error("ERR library name argument was not given")
				return
			}
			i++
			pattern, hasPattern = c.Argv[i], true
			continue
		}
		c.Error("ERR Unknown argument " + string(c.Argv[i]))
		return
	}
	libs := c.E.Scripts.ListLibraries()
	n := 0
	for _, li := range libs {
		if !hasPattern || StringMatch(pattern, []byte(li.Name), true) {
			n++
		}
	}
	w := c.W
	w.Array(n)
	var names []string
	for _, li := range libs {
		if hasPattern && !StringMatch(pattern, []byte(li.Name), true) {
			continue
		}
		if withCode {
			w.Map(4)
		} else {
			w.Map(3)
		}
		w.BulkString("library_name")
		w.BulkString(li.Name)
		w.BulkString("engine")
		w.BulkString(li.Engine)
		w.BulkString("functions")
		w.Array(len(li.Functions))
		for _, f := range li.Functions {
			w.Map(3)
			w.BulkString("name")
			w.BulkString(f.Name)
			w.BulkString("description")
			if f.HasDesc {
				w.BulkString(f.Desc)
			} else {
				w.Null()
			}
			w.BulkString("flags")
			names = f.Flags.AppendNames(names[:0])
			w.Set(len(names))
			for _, name := range names {
				w.Status(name)
			}
		}
		if withCode {
			w.BulkString("library_code")
			w.Bulk(li.Code)
		}
	}
}

func functionStatsCommand(c *Ctx) {
	e := c.E
	e.scripts.mu.Lock()
	defer e.scripts.mu.Unlock()
	sr := e.scripts.cur
	if sr != nil && sr.eval {
		c.Error(script.ErrBusyScript)
		return
	}
	w := c.W
	w.Map(2)
	w.BulkString("running_script")
	if sr == nil {
		w.Null()
	} else {
		w.Map(3)
		w.BulkString("name")
		w.BulkString(sr.name)
		w.BulkString("command")
		w.Array(len(sr.c.Argv))
		for _, a := range sr.c.Argv {
			w.Bulk(a)
		}
		w.BulkString("duration_ms")
		w.Int((e.monoNow() - sr.start).Milliseconds())
	}
	libs, funcs := e.Scripts.LibraryStats()
	w.BulkString("engines")
	w.Map(1)
	w.BulkString("LUA")
	w.Map(2)
	w.BulkString("libraries_count")
	w.Int(int64(libs))
	w.BulkString("functions_count")
	w.Int(int64(funcs))
}

// functionDumpCommand is FUNCTION DUMP: the libraries' code as an RDB
// payload (rdbSaveFunctions framed like DUMP; see dump.go).
func functionDumpCommand(c *Ctx) {
	c.W.Bulk(dumpFunctions(c))
}

// functionRestoreCommand is FUNCTION RESTORE serialized-value
// [FLUSH|APPEND|REPLACE] (functions.c functionRestoreCommand; the loading
// is restoreFunctions in dump.go).
func functionRestoreCommand(c *Ctx) {
	if len(c.Argv) > 4 {
		subcommandSyntaxError(c)
		return
	}
	policy := "append"
	if len(c.Argv) == 4 {
		switch {
		case c.Is(3, "append"):
		case c.Is(3, "replace"):
			policy = "replace"
		case c.Is(3, "flush"):
			policy = "flush"
		default:
			c.Error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
			return
		}
	}
	if msg := restoreFunctions(c, c.Argv[2], policy); msg != "" {
		c.Error(msg)
		return
	}
	c.W.OK()
}

// ScriptBusyError is processCommand's BUSY refusal: while a script has run
// for longer than busy-reply-threshold, a command without the allow-busy
// flag is answered with this error (it returns "" otherwise). The
// dispatcher is to call it before taking the command's locks; a command
// that is not refused and needs a shard waits for the script to end.
func (e *Engine) ScriptBusyError(cl *Client, m *meta.Command) string {
	if m.FlagMask&meta.FlagAllowBusy != 0 {
		return ""
	}
	e.scripts.mu.Lock()
	sr := e.scripts.cur
	var eval bool
	var start time.Duration
	var owner *Client
	if sr != nil {
		eval, start, owner = sr.eval, sr.start, sr.cl
	}
	e.scripts.mu.Unlock()
	if sr == nil || owner == cl || cl.Flags()&FlagMaster != 0 {
		return ""
	}
	limit := int64(5000)
	if e.Cfg != nil {
		limit = e.Cfg.BusyReplyThreshold.Load()
	}
	if (e.monoNow() - start).Milliseconds() < limit {
		return ""
	}
	if eval {
		return script.ErrBusyScript
	}
	return script.ErrBusyFunction
}
