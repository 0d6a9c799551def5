// Package script is Redis 7.0's Lua scripting: the Lua 5.1 sandbox of
// EVAL/EVALSHA and of FUNCTION/FCALL libraries, run on gopher-lua.
//
// It knows nothing of clients, keys or the command table. The command
// layer plugs in through Host: redis.call hands the command to
// Host.Call, which runs it with the script's client and appends the raw
// RESP reply to a writer; the package converts that reply into Lua
// values and the script's return value back into RESP exactly as
// script_lua.c does.
//
// Layout, following Redis's files: eval.c (script cache, EVAL) is
// eval.go; script_lua.c (conversions, the redis.* API, the sandbox) is
// convert.go, redislib.go and env.go; function_lua.c and the library
// parts of functions.c are function.go; script.c's flag logic is
// flags.go; the bundled libraries are cjson.go, cmsgpack.go, bit.go and
// struct.go. Where gopher-lua departs from Lua 5.1 as Redis builds it,
// Lua's behaviour is rebuilt: syntax.go (the parser's checks and
// messages), lstrlib.go and strformat.go (patterns, string.format),
// libextra.go and libcheck.go (base/table/math functions and argument
// checks), errtext.go (runtime error wording), aux.go (lauxlib).
// specialize.go is ours: each Lua state's copy of an EVAL script's code
// with its reads of globals and library fields made constants.
//
// What is not reproduced: Lua's variable names in runtime errors other
// than a failed call that ends the run ("attempt to index field 'x' (a
// nil value)" reads "attempt to index a nil value", and so does an error
// caught by pcall); the formatting of numbers by the .. operator and the
// coercions gopher-lua's VM does itself; the # operator on tables with
// holes; string.dump's bytecode. golden_test.go lists the known cases.
//
// Concurrency: an Engine is safe for concurrent use. Every EVAL run takes
// a Lua state from a pool, so runs never share a Lua state; everything a
// script can reach from its globals is read-only (as in Redis), so which
// pooled state serves a run is unobservable. FCALL runs share one Lua
// state, like Redis's function engine, because library upvalues are
// shared state; they are serialized by a mutex. The state Redis keeps
// process-wide (math.random's generator, cjson's configuration) lives in
// the Engine.
package script

import (
	"sync"
	"sync/atomic"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// Log levels of redis.log (LL_DEBUG .. LL_WARNING).
const (
	LogDebug = iota
	LogVerbose
	LogNotice
	LogWarning
)

// Propagation flags of redis.set_repl (PROPAGATE_AOF, PROPAGATE_REPL).
const (
	ReplNone    = 0
	ReplAOF     = 1
	ReplReplica = 2
	ReplAll     = ReplAOF | ReplReplica
)

// Host is the command layer as scripts see it.
type Host interface {
	// Call runs argv (argv[0] is the command name) as the script's client
	// through the normal command table and appends exactly one reply to w,
	// whose Proto is the protocol chosen by redis.setresp (2 by default).
	// A command the script may not run is answered with an error reply
	// such as ErrCallUnknown. argv is only valid during the call.
	Call(r *Run, argv [][]byte, w *resp.Writer)
	// ACLCheck reports whether the user running the script may run argv
	// (redis.acl_check_cmd); known is false for an unknown command.
	ACLCheck(r *Run, argv [][]byte) (allowed, known bool)
	// Log writes a redis.log message at level LogDebug..LogWarning; the
	// host filters by its verbosity. It is also called while a library
	// loads, when there is no run.
	Log(level int, msg string)
	// ErrorReply is told of every error reply the script sends its
	// caller (its final error, or one nested in an aggregate reply) so the
	// host can keep error statistics. counted is Redis's
	// ERR_REPLY_FLAG_NO_STATS_UPDATE: the error was already counted when
	// the failing command ran inside the script.
	ErrorReply(r *Run, msg string, counted bool)
}

// Config configures an Engine.
type Config struct {
	Host Host // required
	// Version and VersionNum are redis.REDIS_VERSION and
	// redis.REDIS_VERSION_NUM; they default to "7.0.15" and 0x07000f.
	Version    string
	VersionNum int
	// MaxIdle bounds the Lua states kept for EVAL between runs (default 8).
	MaxIdle int
}

// Engine holds the script cache, the pooled Lua states of EVAL and the
// Lua state of FUNCTION libraries.
type Engine struct {
	cfg  Config
	rand *lrand48

	evalJSON *jsonConfig // cjson configuration of the EVAL states
	fnJSON   *jsonConfig // cjson configuration of the function state

	mu         sync.RWMutex
	scripts    map[[40]byte]*Script // guarded by mu
	scriptsMem int64                // guarded by mu
	flushGen   atomic.Uint64        // bumped by Flush

	poolMu sync.Mutex
	idle   []*vm // guarded by poolMu

	fnMu sync.Mutex // serializes the function state: loads and FCALLs
	fn   *vm        // guarded by fnMu; created on first use

	libMu sync.RWMutex
	libs  *Libraries // guarded by libMu
}

// New returns an Engine.
func New(cfg Config) *Engine {
	if cfg.Version == "" {
		cfg.Version = "7.0.15"
	}
	if cfg.VersionNum == 0 {
		cfg.VersionNum = 0x07000f
	}
	if cfg.MaxIdle <= 0 {
		cfg.MaxIdle = 8
	}
	return &Engine{
		cfg:      cfg,
		rand:     newLrand48(),
		evalJSON: newJSONConfig(),
		fnJSON:   newJSONConfig(),
		scripts:  make(map[[40]byte]*Script),
		libs:     NewLibraries(),
	}
}

// RunFlags describe one script run (scriptRunCtx.flags).
type RunFlags uint8

const (
	// RunEvalMode marks an EVAL run, as opposed to FCALL.
	RunEvalMode RunFlags = 1 << iota
	// RunReadOnly: write commands are refused ("*_RO" command, or a
	// script declared no-writes).
	RunReadOnly
	// RunAllowOOM: deny-oom commands may run past maxmemory.
	RunAllowOOM
	// RunAllowCrossSlot: keys of different slots may be accessed.
	RunAllowCrossSlot
)

// Run is one execution of a script or function. The host fills Client
// and ReadOnly, passes the Run to Eval or FCall, and may keep a pointer to
// it to kill the run from another goroutine. A Run may be reused once
// Eval or FCall has returned.
type Run struct {
	// Client is the host's context for Host.Call (its client, its command
	// context); the package never looks at it.
	Client any
	// ReadOnly is set by the host for EVAL_RO, EVALSHA_RO and FCALL_RO.
	ReadOnly bool

	// Name is the script's SHA1 for EVAL, the function name for FCALL.
	Name string
	// Flags are computed from the script's flags and ReadOnly when the
	// run starts.
	Flags RunFlags

	resp int // protocol of redis.call replies (redis.setresp)
	repl int // redis.set_repl flags

	mu     sync.Mutex
	killed bool // guarded by mu
	vm     *vm  // guarded by mu; the state running the script
}

// Resp is the protocol version the script selected with redis.setresp
// for the replies of redis.call (2 or 3).
func (r *Run) Resp() int { return r.resp }

// Repl is the propagation selected with redis.set_repl (ReplAll unless
// the script changed it).
func (r *Run) Repl() int { return r.repl }

// Kill stops the run as SCRIPT KILL / FUNCTION KILL do: the script fails
// at its next Lua instruction with "Script killed by user with SCRIPT
// KILL..." and pcall cannot catch it for good. Safe to call from any
// goroutine, before or during the run.
func (r *Run) Kill() {
	r.mu.Lock()
	r.killed = true
	if r.vm != nil {
		r.vm.ctx.kill(errKilled)
	}
	r.mu.Unlock()
}

// Reset clears a finished Run for reuse (a killed Run stays killed until
// then).
func (r *Run) Reset() {
	r.mu.Lock()
	r.killed = false
	r.mu.Unlock()
	r.Name, r.Flags, r.resp, r.repl = "", 0, 0, 0
}

// Killed reports whether Kill was called.
func (r *Run) Killed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.killed
}

// begin binds r to v for the run.
func (r *Run) begin(v *vm, name string, flags RunFlags) {
	r.Name = name
	r.Flags = flags
	r.resp = 2
	r.repl = ReplAll
	r.mu.Lock()
	r.vm = v
	if r.killed {
		v.ctx.kill(errKilled)
	}
	r.mu.Unlock()
	v.run = r
}

// end unbinds r from v; after it Kill no longer touches v.
func (r *Run) end(v *vm) {
	r.mu.Lock()
	r.vm = nil
	r.mu.Unlock()
	v.run = nil
}

// getVM takes an EVAL state from the pool or creates one.
func (e *Engine) getVM() *vm {
	e.poolMu.Lock()
	if n := len(e.idle); n > 0 {
		v := e.idle[n-1]
		e.idle[n-1] = nil
		e.idle = e.idle[:n-1]
		e.poolMu.Unlock()
		return v
	}
	e.poolMu.Unlock()
	return newVM(e, modeEval)
}

// putVM returns an EVAL state to the pool.
func (e *Engine) putVM(v *vm) {
	e.poolMu.Lock()
	if len(e.idle) < e.cfg.MaxIdle {
		e.idle = append(e.idle, v)
		v = nil
	}
	e.poolMu.Unlock()
	if v != nil {
		v.close()
	}
}
