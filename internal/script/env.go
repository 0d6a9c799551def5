package script

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// The sandbox (script_lua.c's luaRegisterRedisAPI and the global
// protection of scriptingInit / luaEngineInitEngine).
//
// Redis's Lua has read-only tables: after start-up every table reachable
// from the globals is frozen and writing one fails with "Attempt to modify
// a readonly table". gopher-lua has no such flag, so every such table is
// shown to scripts through a proxy: an empty table whose metatable reads
// through to the real table and refuses writes. The few base functions
// that bypass metatables (rawget, rawset, next, pairs, getmetatable,
// setmetatable, table.insert) are replaced by versions that see through
// proxies, so scripts observe Redis's behaviour and can never change what
// another script sees.

type vmMode uint8

const (
	modeEval     vmMode = iota // EVAL scripts
	modeFunction               // FUNCTION libraries
)

// vm is one Lua state with its sandbox.
type vm struct {
	e    *Engine
	mode vmMode
	L    *lua.LState
	ctx  *killCtx
	run  *Run // the run in progress, nil between runs

	globals *lua.LTable // the real globals
	gview   *lua.LTable // read-only view of the globals (_G)
	env     *lua.LTable // environment of script code
	envMeta *lua.LTable // function mode: metatable of env, __index switched
	libAPI  *lua.LTable // function mode: globals while a library loads

	proxies    map[*lua.LTable]*lua.LTable // read-only view -> real table
	publicMeta map[*lua.LTable]lua.LValue  // what getmetatable returns for a view
	strMeta    lua.LValue                  // getmetatable("") view

	readonlyNewIndex *lua.LFunction
	errHandler       *lua.LFunction
	json             *jsonConfig
	null             *lua.LUserData // cjson.null (Redis's NULL lightuserdata)

	loading *Library // function mode: library being loaded

	okReply *lua.LTable       // the {ok="OK"} table redis.call hands back, reused (see okTable)
	reply   resp.Writer       // reply of the command run by redis.call
	argv    [][]byte          // argv of redis.call, reused
	argbuf  []byte            // bytes of argv, reused
	sources map[string]string // short source name -> source of loadstring chunks

	// redis.call and redis.pcall, and their variants for call statements
	// (see specialize).
	callFn, pcallFn, callStmt, pcallStmt *lua.LFunction

	closures map[*lua.FunctionProto]*lua.LFunction     // EVAL scripts' closures
	origins  map[*lua.FunctionProto]*lua.FunctionProto // specialized copy -> compiled code, for error messages
	flushGen uint64                                    // Engine.flushGen the closures belong to
	noArgs   *lua.LTable                               // KEYS or ARGV whose table was dropped, until the next run
	keysArg  argSlot                                   // EVAL's KEYS table, refilled run after run
	argvArg  argSlot                                   // EVAL's ARGV table, likewise

	hostPanic any // a panic of a Host method, raised again after the run
}

// Lua 5.1's limits: LUAI_MAXCALLS nested calls.
const maxCalls = 20000

func newVM(e *Engine, mode vmMode) *vm {
	L := lua.NewState(lua.Options{
		SkipOpenLibs:        true,
		CallStackSize:       maxCalls,
		MinimizeStackMemory: true,
		RegistrySize:        1024,
		RegistryMaxSize:     1 << 18,
		RegistryGrowStep:    1024,
	})
	v := &vm{
		e:          e,
		mode:       mode,
		L:          L,
		ctx:        newKillCtx(),
		proxies:    make(map[*lua.LTable]*lua.LTable),
		publicMeta: make(map[*lua.LTable]lua.LValue),
		sources:    make(map[string]string),
		closures:   make(map[*lua.FunctionProto]*lua.LFunction),
		json:       e.evalJSON,
		keysArg:    argSlot{name: "KEYS"},
		argvArg:    argSlot{name: "ARGV"},
	}
	if mode == modeFunction {
		v.json = e.fnJSON
	}
	v.reply.Proto = 2
	L.SetContext(v.ctx)
	v.build()
	return v
}

func (v *vm) close() { v.L.Close() }

// build creates the libraries and the protected globals.
func (v *vm) build() {
	L := v.L
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{"", lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	gopher := L.G.Global

	v.readonlyNewIndex = L.NewFunction(func(L *lua.LState) int {
		raise(L, msgReadonly)
		return 0
	})
	nonexistent := L.NewFunction(func(L *lua.LState) int {
		name, _ := toString(L.Get(2))
		raise(L, "Script attempted to access nonexistent global variable '"+name+"'")
		return 0
	})
	errorMeta := func() *lua.LTable {
		mt := L.NewTable()
		mt.RawSetString("__index", nonexistent)
		return mt
	}

	g := L.NewTable()
	v.globals = g
	g.Metatable = errorMeta()
	v.gview = v.protect(g)
	v.publicMeta[v.gview] = v.protect(errorMeta())

	// Base library: gopher-lua's where it matches Lua 5.1, ours elsewhere.
	for _, name := range []string{"assert", "ipairs", "rawequal", "type"} {
		g.RawSetString(name, gopher.RawGetString(name))
	}
	for name, fn := range map[string]lua.LGFunction{
		"collectgarbage": baseCollectGarbage,
		"error":          baseError,
		"gcinfo":         baseGcinfo,
		"getmetatable":   v.baseGetmetatable,
		"load":           v.baseLoad,
		"loadstring":     v.baseLoadstring,
		"next":           v.baseNext,
		"pcall":          basePcall,
		"rawget":         v.baseRawget,
		"rawset":         v.baseRawset,
		"setmetatable":   v.baseSetmetatable,
		"tonumber":       baseTonumber,
		"tostring":       v.baseTostring,
		"select":         baseSelect,
		"unpack":         baseUnpack,
		"xpcall":         baseXpcall,
	} {
		g.RawSetString(name, L.NewFunction(fn))
	}
	g.RawSetString("pairs", L.NewClosure(v.basePairs, g.RawGetString("next")))
	g.RawSetString("_VERSION", lua.LString("Lua 5.1"))
	g.RawSetString("_G", v.gview)

	// string: a metatable of its own for strings, as in Lua.
	str := gopher.RawGetString(lua.StringLibName).(*lua.LTable)
	str.RawSetString("__index", lua.LNil)
	v.checkLibrary(str, "string")
	str.RawSetString("dump", L.NewFunction(strDump))
	str.RawSetString("format", L.NewFunction(strFormat))
	for name, fn := range map[string]lua.LGFunction{
		"find": strFind, "match": strMatch, "gmatch": strGmatch, "gsub": strGsub, "char": strChar,
	} {
		str.RawSetString(name, L.NewFunction(fn))
	}
	str.RawSetString("gfind", str.RawGetString("gmatch"))
	strMeta := L.NewTable()
	strMeta.RawSetString("__index", str)
	L.SetMetatable(lua.LString(""), strMeta)
	strView := v.protect(str)
	pub := L.NewTable()
	pub.RawSetString("__index", strView)
	v.strMeta = v.protect(pub)
	g.RawSetString(lua.StringLibName, strView)

	tab := gopher.RawGetString(lua.TabLibName).(*lua.LTable)
	v.checkLibrary(tab, "table")
	tab.RawSetString("insert", L.NewClosure(v.tableInsert, tab.RawGetString("insert")))
	tab.RawSetString("foreach", L.NewFunction(v.tableForeach))
	tab.RawSetString("foreachi", L.NewFunction(v.tableForeachi))
	tab.RawSetString("setn", L.NewFunction(tableSetn))
	tab.RawSetString("concat", L.NewFunction(tableConcat))
	tab.RawSetString("sort", L.NewFunction(tableSort))
	g.RawSetString(lua.TabLibName, v.protect(tab))

	m := gopher.RawGetString(lua.MathLibName).(*lua.LTable)
	v.checkLibrary(m, "math")
	m.RawSetString("huge", lua.LNumber(posInf))
	m.RawSetString("random", L.NewFunction(v.mathRandom))
	m.RawSetString("randomseed", L.NewFunction(v.mathRandomseed))
	m.RawSetString("fmod", L.NewFunction(mathFmod))
	g.RawSetString(lua.MathLibName, v.protect(m))

	co := gopher.RawGetString(lua.CoroutineLibName).(*lua.LTable)
	co.RawSetString("resume", L.NewFunction(coResume(co.RawGetString("resume").(*lua.LFunction).GFunction)))
	co.RawSetString("wrap", L.NewFunction(coWrap))
	g.RawSetString(lua.CoroutineLibName, v.protect(co))

	v.null = L.NewUserData()
	g.RawSetString("cjson", v.protect(v.openCjson(v.json)))
	g.RawSetString("struct", v.protect(v.openStruct()))
	g.RawSetString("cmsgpack", v.protect(v.openCmsgpack()))
	g.RawSetString("bit", v.protect(v.openBit()))

	redis := v.openRedis()
	g.RawSetString("redis", v.protect(redis))

	v.errHandler = L.NewFunction(v.errorHandler)
	if v.mode == modeEval {
		// eval.c's scriptingInit adds these to the eval engine only.
		redis.RawSetString("breakpoint", L.NewFunction(redisBreakpoint))
		redis.RawSetString("debug", L.NewFunction(redisDebug))
		redis.RawSetString("replicate_commands", L.NewFunction(redisReplicateCommands))
		g.RawSetString("__redis__err__handler", L.NewFunction(v.luaErrHandler))
		v.env = v.gview
	} else {
		// function_lua.c: library code sees only redis.register_function,
		// redis.log and the version while it loads; functions see the
		// globals when they run. The environment is an empty table whose
		// metatable switches between the two.
		lr := L.NewTable()
		lr.RawSetString("register_function", L.NewFunction(v.registerFunction))
		v.registerLog(lr)
		v.registerVersion(lr)
		lr.Metatable = errorMeta()
		lg := L.NewTable()
		lg.RawSetString("redis", v.protect(lr))
		lg.Metatable = errorMeta()
		v.libAPI = lg

		v.envMeta = L.NewTable()
		v.envMeta.RawSetString("__index", g)
		v.envMeta.RawSetString("__newindex", v.readonlyNewIndex)
		v.env = L.NewTable()
		v.env.Metatable = v.envMeta
		v.proxies[v.env] = L.NewTable()
		envPub := L.NewTable()
		envPub.RawSetString("__index", v.gview)
		v.publicMeta[v.env] = v.protect(envPub)
	}
	v.noArgs = v.protect(L.NewTable())
	if v.mode == modeEval {
		v.newArgs(&v.keysArg, nil)
		v.newArgs(&v.argvArg, nil)
	}
	L.G.Global = g
	L.Env = v.env
	L.SetTop(0)
}

// checkLibrary puts Lua 5.1's argument checks in front of gopher-lua's
// functions of a library.
func (v *vm) checkLibrary(t *lua.LTable, lib string) {
	for name, spec := range libSpecs[lib] {
		if fn, ok := t.RawGetString(name).(*lua.LFunction); ok && fn.IsG {
			t.RawSetString(name, wrapChecked(v.L, fn, spec))
		}
	}
}

// protect returns a read-only view of t.
func (v *vm) protect(t *lua.LTable) *lua.LTable {
	p := v.L.NewTable()
	mt := v.L.NewTable()
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", v.readonlyNewIndex)
	p.Metatable = mt
	v.proxies[p] = t
	return p
}

// real returns the table behind a read-only view, or t itself.
func (v *vm) real(t *lua.LTable) (*lua.LTable, bool) {
	if r, ok := v.proxies[t]; ok {
		return r, true
	}
	return t, false
}

// compile parses and compiles a chunk whose source name is chunkname
// (Lua's convention: "@file", "=name", or the source itself). The error
// is Lua's message, position included.
func compile(src, chunkname string) (*lua.FunctionProto, string) {
	short := chunkID(chunkname)
	// Lua 5.1's own checker first, for its exact messages (a binary
	// chunk fails there too: Redis's Lua reads it as text).
	if msg := checkSyntax(src, short); msg != "" {
		return nil, msg
	}
	chunk, err := parse.Parse(strings.NewReader(src), short)
	if err != nil {
		return nil, parseErrorText(err, short, src)
	}
	proto, err := lua.Compile(chunk, short)
	if err != nil {
		return nil, short + ": " + strings.TrimSpace(err.Error())
	}
	// gopher-lua gives main chunks Lua 5.0's implicit "arg" table, built
	// on every call; Lua 5.1 main chunks have none.
	proto.IsVarArg &^= lua.VarArgNeedsArg
	return proto, ""
}

// parseErrorText renders gopher-lua's syntax errors in Lua's form
// "chunk:line: message near 'token'".
func parseErrorText(err error, short, src string) string {
	pe, ok := err.(*parse.Error)
	if !ok {
		return short + ": " + strings.TrimSpace(err.Error())
	}
	msg := pe.Message
	if msg == "syntax error" {
		msg = "unexpected symbol"
	}
	line := pe.Pos.Line
	tok := pe.Token
	if line == parse.EOF || line <= 0 {
		return fmt.Sprintf("%s:%d: %s near '<eof>'", short, strings.Count(src, "\n")+1, msg)
	}
	if tok == "" {
		return fmt.Sprintf("%s:%d: %s", short, line, msg)
	}
	return fmt.Sprintf("%s:%d: %s near '%s'", short, line, msg, tok)
}

// chunkID is luaO_chunkid with LUA_IDSIZE 60: the short source name shown
// in messages.
func chunkID(source string) string {
	const idsize = 60
	switch {
	case strings.HasPrefix(source, "="):
		s := source[1:]
		if len(s) > idsize-1 {
			s = s[:idsize-1]
		}
		return s
	case strings.HasPrefix(source, "@"):
		s := source[1:]
		max := idsize - len(" '...' ") - 1
		if len(s) > max {
			return "..." + s[len(s)-max:]
		}
		return s
	}
	max := idsize - len(` [string "..."] `) - 1
	n := strings.IndexAny(source, "\n\r")
	if n < 0 {
		n = len(source)
	}
	if n > max {
		n = max
	}
	if n < len(source) {
		return `[string "` + source[:n] + `..."]`
	}
	return `[string "` + source + `"]`
}

// loadChunk compiles src into a function of the script environment,
// remembering its source for error reports.
func (v *vm) loadChunk(src, chunkname string) (*lua.LFunction, string) {
	proto, msg := compile(src, chunkname)
	if proto == nil {
		return nil, msg
	}
	if len(v.sources) < 1024 {
		v.sources[proto.SourceName] = chunkname
	}
	fn := v.L.NewFunctionFromProto(proto)
	fn.Env = v.env
	return fn, ""
}

// sourceOf is the "source" debug field for a short source name.
func (v *vm) sourceOf(short string) string {
	if s, ok := v.sources[short]; ok {
		return s
	}
	return "@" + short
}

// errorHandler is __redis__err__handler in Go: it turns the error into
// Redis's error table {err=..., source=..., line=...}, locating the Lua
// code that raised it (the caller, when a Go function raised it).
func (v *vm) errorHandler(L *lua.LState) int {
	errv := L.Get(1)
	// A Go frame shows as "G", or as "main" without a source when it is
	// the bottom frame.
	goFrame := func(d *lua.Debug) bool { return d.What == "G" || d.Source == "" }
	dbg, found := L.GetStack(1)
	luaFrame := false // the error was raised by the Lua code of dbg
	if found {
		L.GetInfo("Sl", dbg, lua.LNil)
		luaFrame = !goFrame(dbg)
		if !luaFrame {
			dbg, found = L.GetStack(2)
			if found {
				L.GetInfo("Sl", dbg, lua.LNil)
			}
		}
	}
	t, ok := errv.(*lua.LTable)
	if !ok {
		t = L.NewTable()
		s, _ := v.tostring(L, errv)
		if _, isStr := errv.(lua.LString); isStr {
			named := false
			if luaFrame {
				var text string
				if text, named = v.callErrorText(L, dbg, s); named {
					s = text
				}
			}
			if !named {
				s = luaErrorText(s)
			}
		}
		t.RawSetString("err", lua.LString("ERR "+s))
	}
	if found {
		if goFrame(dbg) {
			t.RawSetString("source", lua.LString("=[C]"))
			t.RawSetString("line", lua.LNumber(-1))
		} else {
			t.RawSetString("source", lua.LString(v.sourceOf(dbg.Source)))
			t.RawSetString("line", lua.LNumber(dbg.CurrentLine))
		}
	}
	L.Push(t)
	return 1
}

// luaErrHandler is the __redis__err__handler global scripts can see.
func (v *vm) luaErrHandler(L *lua.LState) int {
	errv := L.Get(1)
	if _, ok := errv.(*lua.LTable); !ok {
		t := L.NewTable()
		s, _ := v.tostring(L, errv)
		t.RawSetString("err", lua.LString("ERR "+s))
		errv = t
	}
	L.Push(errv)
	return 1
}

// ---- base library ----

// basePcall is luaRedisPcall: pcall that returns the message of a Redis
// error table rather than the table.
func basePcall(L *lua.LState) int {
	fn := checkAny(L, 1)
	if fn.Type() != lua.LTFunction && L.GetMetaField(fn, "__call").Type() != lua.LTFunction {
		L.SetTop(0)
		L.Push(lua.LFalse)
		L.Push(lua.LString("attempt to call a " + typeOf(fn) + " value"))
		return 2
	}
	if err := L.PCall(L.GetTop()-1, lua.MultRet, nil); err != nil {
		obj := lua.LValue(lua.LString(err.Error()))
		if aerr, ok := err.(*lua.ApiError); ok {
			obj = aerr.Object
		}
		switch t := obj.(type) {
		case *lua.LTable:
			if msg := L.GetField(t, "err"); msg.Type() == lua.LTString || msg.Type() == lua.LTNumber {
				obj = msg
			}
		case lua.LString:
			obj = lua.LString(luaErrorText(string(t)))
		}
		L.Push(lua.LFalse)
		L.Push(obj)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

// baseError is luaB_error.
func baseError(L *lua.LState) int {
	level := int32(1)
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		level = checkInt(L, 2)
	}
	L.SetTop(1)
	msg := L.Get(1)
	if s, ok := toString(msg); ok && level > 0 {
		msg = lua.LString(where(L, int(level)) + s)
	}
	L.Error(msg, 0)
	return 0
}

// baseTostring is luaB_tostring.
func (v *vm) baseTostring(L *lua.LState) int {
	s, _ := v.tostring(L, checkAny(L, 1))
	L.Push(lua.LString(s))
	return 1
}

// tostring converts like luaB_tostring, honouring __tostring.
func (v *vm) tostring(L *lua.LState, x lua.LValue) (string, bool) {
	if mm := L.GetMetaField(x, "__tostring"); mm != lua.LNil {
		L.Push(mm)
		L.Push(x)
		L.Call(1, 1)
		r := L.Get(-1)
		L.Pop(1)
		s, ok := toString(r)
		return s, ok
	}
	switch t := x.(type) {
	case lua.LNumber:
		return string(appendNumber(nil, float64(t))), true
	case lua.LString:
		return string(t), true
	case lua.LBool:
		if t {
			return "true", true
		}
		return "false", true
	case *lua.LNilType:
		return "nil", true
	case *lua.LUserData:
		if t == v.null {
			return "userdata: (nil)", true
		}
	}
	return fmt.Sprintf("%s: %p", typeOf(x), x), true
}

// baseTonumber is luaB_tonumber.
func baseTonumber(L *lua.LState) int {
	base := int32(10)
	if L.Get(2) != lua.LNil {
		base = checkInt(L, 2)
	}
	if base == 10 {
		checkAny(L, 1)
		if f, ok := toNumber(L.Get(1)); ok {
			L.Push(lua.LNumber(f))
			return 1
		}
	} else {
		s := checkString(L, 1)
		if base < 2 || base > 36 {
			argError(L, 2, "base out of range")
		}
		if i := strings.IndexByte(s, 0); i >= 0 {
			s = s[:i]
		}
		n, used := strtoul(s, int(base))
		if used > 0 {
			rest := strings.TrimLeft(s[used:], " \t\n\v\f\r")
			if rest == "" {
				L.Push(lua.LNumber(float64(n)))
				return 1
			}
		}
	}
	L.Push(lua.LNil)
	return 1
}

// baseGcinfo is gcinfo(): the heap size in KB. gopher-lua states have no
// heap of their own; this reports the size of a fresh Redis Lua state.
func baseGcinfo(L *lua.LState) int {
	L.Push(lua.LNumber(luaHeapKB))
	return 1
}

const luaHeapKB = 31

// baseCollectGarbage is luaB_collectgarbage. Collection is Go's business,
// so the options are accepted and answered plausibly.
func baseCollectGarbage(L *lua.LState) int {
	opt := "collect"
	if L.Get(1) != lua.LNil {
		opt = checkString(L, 1)
	}
	if L.Get(2) != lua.LNil {
		checkInt(L, 2)
	}
	switch opt {
	case "count":
		L.Push(lua.LNumber(luaHeapKB))
	case "step":
		L.Push(lua.LFalse)
	case "setpause", "setstepmul":
		L.Push(lua.LNumber(200))
	case "stop", "restart", "collect":
		L.Push(lua.LNumber(0))
	default:
		argError(L, 1, "invalid option '"+opt+"'")
	}
	return 1
}

// baseLoadstring is luaB_loadstring.
func (v *vm) baseLoadstring(L *lua.LState) int {
	s := checkString(L, 1)
	name := s
	if L.Get(2) != lua.LNil {
		name = checkString(L, 2)
	}
	return v.loadResult(L, s, name)
}

// baseLoad is luaB_load: the chunk is the concatenation of the pieces the
// reader function returns until it returns nil or "".
func (v *vm) baseLoad(L *lua.LState) int {
	name := "=(load)"
	if L.Get(2) != lua.LNil {
		name = checkString(L, 2)
	}
	fn, ok := L.Get(1).(*lua.LFunction)
	if !ok {
		typeError(L, 1, "function")
	}
	var b strings.Builder
	for {
		L.Push(fn)
		L.Call(0, 1)
		piece := L.Get(-1)
		L.Pop(1)
		if piece == lua.LNil {
			break
		}
		s, ok := toString(piece) // lua_isstring: numbers too
		if !ok {
			L.Push(lua.LNil)
			L.Push(lua.LString("reader function must return a string"))
			return 2
		}
		if s == "" {
			break
		}
		b.WriteString(string(s))
	}
	return v.loadResult(L, b.String(), name)
}

func (v *vm) loadResult(L *lua.LState, src, name string) int {
	fn, msg := v.loadChunk(src, name)
	if fn == nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(msg))
		return 2
	}
	L.Push(fn)
	return 1
}

// baseNext is luaB_next, reading through read-only views.
func (v *vm) baseNext(L *lua.LState) int {
	t, _ := v.real(checkTable(L, 1))
	k, val := t.Next(L.Get(2))
	if k == lua.LNil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(k)
	L.Push(val)
	return 2
}

// basePairs is luaB_pairs; its upvalue is next.
func (v *vm) basePairs(L *lua.LState) int {
	t := checkTable(L, 1)
	L.Push(L.Get(lua.UpvalueIndex(1)))
	L.Push(t)
	L.Push(lua.LNil)
	return 3
}

// baseRawget is luaB_rawget, reading through read-only views.
func (v *vm) baseRawget(L *lua.LState) int {
	t, _ := v.real(checkTable(L, 1))
	checkAny(L, 2)
	L.Push(t.RawGet(L.Get(2)))
	return 1
}

// baseRawset is luaB_rawset; read-only tables refuse.
func (v *vm) baseRawset(L *lua.LState) int {
	t := checkTable(L, 1)
	checkAny(L, 2)
	checkAny(L, 3)
	if _, ro := v.real(t); ro {
		raiseRuntime(L, msgReadonly)
	}
	v.rawset(L, t, L.Get(2), L.Get(3))
	L.SetTop(1)
	return 1
}

// rawset is lua_rawset's table store with Lua's key checks.
func (v *vm) rawset(L *lua.LState, t *lua.LTable, k, val lua.LValue) {
	switch key := k.(type) {
	case *lua.LNilType:
		raiseRuntime(L, "table index is nil")
	case lua.LNumber:
		if key != key {
			raiseRuntime(L, "table index is NaN")
		}
	}
	t.RawSet(k, val)
}

// baseGetmetatable is luaB_getmetatable; read-only views show Redis's
// metatables (none for the libraries).
func (v *vm) baseGetmetatable(L *lua.LState) int {
	x := checkAny(L, 1)
	switch t := x.(type) {
	case *lua.LTable:
		if _, ro := v.real(t); ro {
			if mt, ok := v.publicMeta[t]; ok {
				L.Push(mt)
			} else {
				L.Push(lua.LNil)
			}
			return 1
		}
	case lua.LString:
		L.Push(v.strMeta)
		return 1
	}
	L.Push(L.GetMetatable(x))
	return 1
}

// baseSetmetatable is luaB_setmetatable; read-only tables refuse.
func (v *vm) baseSetmetatable(L *lua.LState) int {
	t := checkTable(L, 1)
	mt := L.Get(2)
	if mt.Type() != lua.LTNil && mt.Type() != lua.LTTable {
		argError(L, 2, "nil or table expected")
	}
	if _, ro := v.real(t); ro {
		raiseRuntime(L, msgReadonly)
	}
	if cur, ok := t.Metatable.(*lua.LTable); ok && cur.RawGetString("__metatable") != lua.LNil {
		raise(L, "cannot change a protected metatable")
	}
	t.Metatable = mt
	L.SetTop(1)
	return 1
}

// ---- string and table additions ----

// strDump is string.dump. There is no Lua bytecode here: Lua functions
// dump as the header of a Lua 5.1 binary chunk for x86-64 (Redis refuses
// to load binary chunks anyway); Go functions cannot be dumped, as C
// functions cannot in Lua.
func strDump(L *lua.LState) int {
	fn, ok := L.Get(1).(*lua.LFunction)
	if !ok {
		typeError(L, 1, "function")
	}
	if fn.IsG {
		raise(L, "unable to dump given function")
	}
	L.Push(lua.LString("\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00"))
	return 1
}

// tableInsert refuses read-only tables before delegating to gopher-lua's
// table.insert (its upvalue).
func (v *vm) tableInsert(L *lua.LState) int {
	t := checkTable(L, 1)
	if _, ro := v.real(t); ro {
		switch L.GetTop() {
		case 2:
		case 3:
			checkInt(L, 2)
		default:
			raise(L, "wrong number of arguments to 'insert'")
		}
		raiseRuntime(L, msgReadonly)
	}
	if n := L.GetTop(); n != 2 && n != 3 {
		raise(L, "wrong number of arguments to 'insert'")
	}
	inner := L.Get(lua.UpvalueIndex(1))
	L.Insert(inner, 1)
	L.Call(L.GetTop()-1, 0)
	return 0
}

// tableForeach is Lua 5.1's table.foreach.
func (v *vm) tableForeach(L *lua.LState) int {
	t, _ := v.real(checkTable(L, 1))
	fn := L.Get(2)
	if fn.Type() != lua.LTFunction {
		typeError(L, 2, "function")
	}
	k, val := t.Next(lua.LNil)
	for k != lua.LNil {
		L.Push(fn)
		L.Push(k)
		L.Push(val)
		L.Call(2, 1)
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
		k, val = t.Next(k)
	}
	return 0
}

// tableForeachi is Lua 5.1's table.foreachi.
func (v *vm) tableForeachi(L *lua.LState) int {
	t := checkTable(L, 1)
	fn := L.Get(2)
	if fn.Type() != lua.LTFunction {
		typeError(L, 2, "function")
	}
	n := L.ObjLen(t)
	for i := 1; i <= n; i++ {
		L.Push(fn)
		L.Push(lua.LNumber(i))
		L.Push(t.RawGetInt(i))
		L.Call(2, 1)
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

func tableSetn(L *lua.LState) int {
	checkTable(L, 1)
	raise(L, "'setn' is obsolete")
	return 0
}
