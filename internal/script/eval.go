package script

import (
	"crypto/sha1"
	"encoding/hex"
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// EVAL scripts (eval.c).

// Script is a compiled EVAL script of the script cache.
type Script struct {
	SHA   string // 40 lowercase hex digits
	Body  []byte
	Flags Flags // from the shebang; FlagEvalCompat without one
	proto *lua.FunctionProto
	// setsGlobals: the code assigns a global somewhere (SETGLOBAL), so it
	// must run with the read-only view of the globals as its environment
	// (see vm.closure).
	setsGlobals bool
}

// SHA1Hex returns the lowercase hex SHA1 of b, the name of a script.
func SHA1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// shaKey lowercases a 40-character SHA into a map key; ok is false for
// any other length.
func shaKey(sha []byte) (k [40]byte, ok bool) {
	if len(sha) != 40 {
		return k, false
	}
	for i, c := range sha {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		k[i] = c
	}
	return k, true
}

// Lookup returns the cached script with the given SHA1 (any case), or nil
// (EVALSHA answers ErrNoScript then).
func (e *Engine) Lookup(sha []byte) *Script {
	k, ok := shaKey(sha)
	if !ok {
		return nil
	}
	e.mu.RLock()
	s := e.scripts[k]
	e.mu.RUnlock()
	return s
}

// Exists reports whether a script is cached (SCRIPT EXISTS; the cache's
// keys compare without case).
func (e *Engine) Exists(sha []byte) bool { return e.Lookup(sha) != nil }

// Load compiles body and adds it to the cache, or returns the cached
// script with the same SHA1 (luaCreateFunction, for EVAL and SCRIPT
// LOAD). Errors are Redis's replies: shebang errors and "Error compiling
// script (new function): ...".
func (e *Engine) Load(body []byte) (*Script, error) {
	sum := sha1.Sum(body)
	var k [40]byte
	hex.Encode(k[:], sum[:])
	e.mu.RLock()
	s := e.scripts[k]
	e.mu.RUnlock()
	if s != nil {
		return s, nil
	}
	flags, skip, err := ParseShebang(body)
	if err != nil {
		return nil, err
	}
	// The shebang line is skipped but its newline kept, so line numbers
	// stay right.
	proto, msg := compile(string(body[skip:]), "@user_script")
	if proto == nil {
		return nil, errCompileScript(msg)
	}
	s = &Script{
		SHA:         string(k[:]),
		Body:        append([]byte(nil), body...),
		Flags:       flags,
		proto:       proto,
		setsGlobals: setsGlobals(proto),
	}
	e.mu.Lock()
	if old := e.scripts[k]; old != nil {
		s = old
	} else {
		e.scripts[k] = s
		e.scriptsMem += int64(len(s.Body)) + scriptOverhead
	}
	e.mu.Unlock()
	return s, nil
}

// scriptOverhead approximates the per-script memory Redis counts in
// used_memory_scripts_eval (the SHA sds, dict entry, luaScript).
const scriptOverhead = 40 + 16 + 24 + 16

// Flush empties the script cache (SCRIPT FLUSH).
func (e *Engine) Flush() {
	e.mu.Lock()
	e.scripts = make(map[[40]byte]*Script)
	e.scriptsMem = 0
	e.flushGen.Add(1) // pooled states drop their closures
	e.mu.Unlock()
}

// NumScripts is number_of_cached_scripts.
func (e *Engine) NumScripts() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.scripts)
}

// ScriptsMemory approximates used_memory_scripts_eval.
func (e *Engine) ScriptsMemory() int64 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.scriptsMem
}

// LuaMemory approximates used_memory_lua: the heap of a fresh Redis Lua
// state.
func (e *Engine) LuaMemory() int64 { return luaHeapKB * 1024 }

// ScriptFlags returns the flags EVAL/EVALSHA run with, for the command
// layer's pre-dispatch checks (evalGetCommandFlags): those of the cached
// script, else of body's shebang for EVAL. ok is false when they cannot
// be known (unknown SHA, bad shebang); Redis then keeps the command's
// flags.
func (e *Engine) ScriptFlags(bodyOrSHA []byte, evalsha bool) (Flags, bool) {
	var s *Script
	if evalsha {
		s = e.Lookup(bodyOrSHA)
	} else {
		sum := sha1.Sum(bodyOrSHA)
		var k [40]byte
		hex.Encode(k[:], sum[:])
		e.mu.RLock()
		s = e.scripts[k]
		e.mu.RUnlock()
	}
	if s != nil {
		return s.Flags, true
	}
	if evalsha {
		return 0, false
	}
	f, _, err := ParseShebang(bodyOrSHA)
	return f, err == nil
}

// Eval runs a cached script with the given KEYS and ARGV and appends its
// reply to w, in w.Proto (the caller's protocol); an error reply is also
// reported to Host.ErrorReply. r.Client and r.ReadOnly must be set; the
// host has already applied PrepareError.
func (e *Engine) Eval(r *Run, s *Script, keys, args [][]byte, w *resp.Writer) {
	v := e.getVM()
	r.begin(v, s.SHA, runFlags(s.Flags, r.ReadOnly, true))
	L := v.L
	v.setArgs(&v.keysArg, keys)
	v.setArgs(&v.argvArg, args)
	if gen := e.flushGen.Load(); gen != v.flushGen {
		v.dropClosures()
		v.flushGen = gen
	}
	L.Push(v.closure(s))
	err := L.PCall(0, 1, v.errHandler)
	if p := v.hostPanic; p != nil {
		r.end(v)
		v.close()
		panic(p)
	}
	v.finish(r, err, w)
	v.clearArgs(&v.keysArg)
	v.clearArgs(&v.argvArg)
	v.reset(r)
	e.putVM(v)
}

// finish writes the outcome of a run: its return value, or its error as
// luaCallFunction formats it.
func (v *vm) finish(r *Run, err error, w *resp.Writer) {
	L := v.L
	if err == nil {
		v.writeReply(w, L.Get(-1), 2)
		L.Pop(1)
		return
	}
	var obj lua.LValue = lua.LString(err.Error())
	if aerr, ok := err.(*lua.ApiError); ok {
		obj = aerr.Object
	}
	t, ok := obj.(*lua.LTable)
	if !ok {
		s, _ := toString(obj)
		if s == "" {
			s = "execution failure"
		}
		if len(s) > 100 {
			s = s[:100]
		}
		v.errorReply(w, "ERR Error running script "+r.Name+", "+s+" ", false)
		return
	}
	msg, _ := toString(t.RawGetString("err"))
	counted := t.RawGetString("ignore_error_stats_update") == lua.LTrue
	if v.ctx.killed() {
		msg, counted = "ERR "+msgKilled, false
	}
	source, sok := toString(t.RawGetString("source"))
	line, lok := toString(t.RawGetString("line"))
	if sok && lok {
		msg += " script: " + r.Name + ", on " + source + ":" + line + "."
	}
	v.errorReply(w, msg, counted)
}

// closure returns the function of a compiled script in this state. A
// main chunk has no upvalues and scripts cannot change a function's
// environment, so one closure per script is reused.
//
// The environment of a script that assigns no global is the globals
// table itself rather than its read-only view: reading a global then
// costs one table lookup instead of three (view, its metatable, the
// globals), which is most of what a loop of redis.call's spends in the
// Lua VM. Nothing is lost: SETGLOBAL is the only instruction that writes
// an environment, a function inherits its creator's environment, and
// every other way to the globals (_G, rawset, setmetatable, loadstring's
// chunks, table.insert) goes through the read-only view or refuses it.
// Reading a missing global fails as before, through the globals'
// metatable.
func (v *vm) closure(s *Script) *lua.LFunction {
	if fn, ok := v.closures[s.proto]; ok {
		return fn
	}
	if len(v.closures) >= maxClosures {
		v.dropClosures()
	}
	var fn *lua.LFunction
	if !s.setsGlobals && v.mode == modeEval {
		fn = v.L.NewFunctionFromProto(v.specialize(s.proto))
		fn.Env = v.globals
	} else {
		fn = v.L.NewFunctionFromProto(s.proto)
		fn.Env = v.env
	}
	v.closures[s.proto] = fn
	return fn
}

// setsGlobals reports whether p or a function nested in it assigns a
// global variable.
func setsGlobals(p *lua.FunctionProto) bool {
	for _, inst := range p.Code {
		if instOp(inst) == lua.OP_SETGLOBAL {
			return true
		}
	}
	for _, child := range p.FunctionPrototypes {
		if setsGlobals(child) {
			return true
		}
	}
	return false
}

// maxClosures bounds the closures a state keeps.
const maxClosures = 1024

// reset makes the state ready for the next run.
func (v *vm) reset(r *Run) {
	r.end(v)
	v.L.SetTop(0)
	if len(v.sources) > 0 {
		clear(v.sources)
	}
	if v.ctx.killed() {
		v.ctx = newKillCtx()
		v.L.SetContext(v.ctx)
	} else {
		v.ctx.forgetChildren()
	}
	if len(v.argv) > 64 {
		v.argv = nil
	}
	if cap(v.argbuf) > 64<<10 {
		v.argbuf = nil
	}
}

// argSlot is the KEYS or ARGV table of an EVAL state. An EVAL script
// cannot keep a reference to it past its run (the globals and every
// library table are read-only), so one table per state serves every run:
// it stays in the globals, is filled before a run and emptied after it.
// A script that leaves it with other fields or a metatable has it
// replaced by a fresh table at the next run. (Functions get new tables
// for every FCALL: a library can keep them in an upvalue.)
type argSlot struct {
	name string      // "KEYS" or "ARGV"
	t    *lua.LTable // nil until the next run makes one
	n    int         // elements set for the run
	// last holds the short strings of the last runs as Lua values, so
	// that an argument repeated from run to run (a script's constant
	// ARGV, a hot key) costs no new string and no boxing.
	last [maxLastArgs]lua.LValue
}

// maxLastArgs and maxLastArg bound argSlot.last.
const (
	maxLastArgs = 8
	maxLastArg  = 64
)

// maxArgSlot bounds the elements of a table kept from run to run (a new
// table also means new closures, see newArgs).
const maxArgSlot = 1 << 16

// setArgs fills the table of a for a run.
func (v *vm) setArgs(a *argSlot, elems [][]byte) {
	a.n = len(elems)
	if a.t == nil {
		v.newArgs(a, elems)
		return
	}
	for i, b := range elems {
		a.t.RawSetInt(i+1, a.value(i, b))
	}
}

// value is argument i of a run as a Lua string.
func (a *argSlot) value(i int, b []byte) lua.LValue {
	if i >= maxLastArgs || len(b) > maxLastArg {
		return lua.LString(b)
	}
	if s, ok := a.last[i].(lua.LString); ok && string(s) == string(b) {
		return a.last[i]
	}
	val := lua.LValue(lua.LString(b))
	a.last[i] = val
	return val
}

// clearArgs empties the table of a after a run, or drops it when the
// script changed it beyond its elements (or it grew large).
func (v *vm) clearArgs(a *argSlot) {
	t := a.t
	if t == nil {
		return
	}
	n := max(t.Len(), a.n)
	if n <= maxArgSlot && t.Metatable == lua.LNil {
		for i := n; i >= 1; i-- {
			t.RawSetInt(i, lua.LNil)
		}
		if k, _ := t.Next(lua.LNil); k == lua.LNil {
			return
		}
	}
	a.t = nil
	v.globals.RawSetString(a.name, v.noArgs)
}

// newArgs gives a a new table; the closures, whose code may have the old
// one as a constant (see specialize), are dropped.
func (v *vm) newArgs(a *argSlot, elems [][]byte) {
	a.t = stringArray(v.L, elems)
	v.globals.RawSetString(a.name, a.t)
	v.dropClosures()
}

// dropClosures forgets the closures of EVAL scripts and their specialized
// code.
func (v *vm) dropClosures() {
	clear(v.closures)
	clear(v.origins)
}

// stringArray is luaCreateArray: a Lua array of strings.
func stringArray(L *lua.LState, elems [][]byte) *lua.LTable {
	t := L.CreateTable(len(elems), 0)
	for i, b := range elems {
		t.RawSetInt(i+1, lua.LString(b))
	}
	return t
}

// appendFloatG is C's "%.<prec>g" for finite values.
func appendFloatG(dst []byte, f float64, prec int) []byte {
	return strconv.AppendFloat(dst, f, 'g', prec, 64)
}
