package script

import (
	"bytes"
	"errors"
	"sort"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// FUNCTION libraries: the Lua engine of function_lua.c and the library
// bookkeeping of functions.c.

// LoadTimeout is LOAD_TIMEOUT_MS: how long a library's top-level code may
// run in FUNCTION LOAD (replicated and AOF loads have no limit).
const LoadTimeout = 500 * time.Millisecond

// Library is a loaded function library (functionLibInfo).
type Library struct {
	Name      string
	Engine    string // "LUA"
	Code      []byte // the whole payload, shebang included
	Functions []*Function
}

// Function is a function registered by a library (functionInfo).
type Function struct {
	Name    string
	Desc    string
	HasDesc bool // a description was given (FUNCTION LIST shows nil otherwise)
	Flags   Flags
	Library *Library
	fn      *lua.LFunction
}

// Libraries is a set of libraries and the functions they register
// (functionsLibCtx). Library names are case-sensitive, function names are
// not. It is not safe for concurrent use; the Engine guards its own.
type Libraries struct {
	libs  map[string]*Library
	funcs map[string]*Function // by lowercased name
}

// NewLibraries returns an empty set (for FUNCTION RESTORE).
func NewLibraries() *Libraries {
	return &Libraries{libs: make(map[string]*Library), funcs: make(map[string]*Function)}
}

func foldName(name string) string { return strings.ToLower(name) }

// Library returns the library with this name, or nil.
func (ls *Libraries) Library(name string) *Library { return ls.libs[name] }

// Function returns the function with this name (any case), or nil.
func (ls *Libraries) Function(name string) *Function { return ls.funcs[foldName(name)] }

// List returns the libraries sorted by name.
func (ls *Libraries) List() []*Library {
	out := make([]*Library, 0, len(ls.libs))
	for _, l := range ls.libs {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Len is the number of libraries; NumFunctions the number of functions.
func (ls *Libraries) Len() int          { return len(ls.libs) }
func (ls *Libraries) NumFunctions() int { return len(ls.funcs) }

func (ls *Libraries) link(l *Library) {
	for _, f := range l.Functions {
		ls.funcs[foldName(f.Name)] = f
	}
	ls.libs[l.Name] = l
}

func (ls *Libraries) unlink(l *Library) {
	for _, f := range l.Functions {
		delete(ls.funcs, foldName(f.Name))
	}
	delete(ls.libs, l.Name)
}

// Delete removes a library (FUNCTION DELETE); false if there is none.
func (ls *Libraries) Delete(name string) bool {
	l := ls.libs[name]
	if l == nil {
		return false
	}
	ls.unlink(l)
	return true
}

// Join moves every library of src into ls (libraryJoin, for FUNCTION
// RESTORE APPEND/REPLACE). On a library name collision it fails unless
// replace is set; on a function name collision it fails. On failure ls
// is unchanged.
func (ls *Libraries) Join(src *Libraries, replace bool) error {
	var old []*Library
	restore := func() {
		for _, l := range old {
			ls.link(l)
		}
	}
	for _, name := range sortedNames(src.libs) {
		if o := ls.libs[name]; o != nil {
			if !replace {
				restore()
				return ReplyError("ERR Library " + name + " already exists")
			}
			ls.unlink(o)
			old = append(old, o)
		}
	}
	for _, l := range src.List() {
		for _, f := range l.Functions {
			if ls.funcs[foldName(f.Name)] != nil {
				restore()
				return ReplyError(ErrFunctionExists(f.Name))
			}
		}
	}
	for _, l := range src.List() {
		ls.link(l)
	}
	src.libs = make(map[string]*Library)
	src.funcs = make(map[string]*Function)
	return nil
}

func sortedNames(m map[string]*Library) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// verifyName is functionsVerifyName: [a-zA-Z0-9_]+.
func verifyName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// ParseLibraryMeta reads a library's "#!<engine> name=<name>" line
// (functionExtractLibMetaData). It returns the engine, the name and the
// offset of the code, which starts with the shebang's newline.
func ParseLibraryMeta(code []byte) (engine, name string, offset int, err error) {
	if !bytes.HasPrefix(code, []byte("#!")) {
		return "", "", 0, ReplyError(ErrMissingLibMeta)
	}
	end := bytes.IndexByte(code, '\n')
	if end < 0 {
		return "", "", 0, ReplyError(ErrInvalidLibMeta)
	}
	parts, ok := resp.SplitArgs(code[:end], nil)
	if !ok || len(parts) == 0 {
		return "", "", 0, ReplyError(ErrInvalidLibMeta)
	}
	engine = cString(parts[0][2:])
	gotName := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(string(p[:5]), "name=") {
			if gotName {
				return "", "", 0, ReplyError(ErrLibNameTwice)
			}
			name, gotName = cString(p[5:]), true
			continue
		}
		return "", "", 0, errLibMetaValue(cString(p))
	}
	if !gotName {
		return "", "", 0, ReplyError(ErrLibNameMissing)
	}
	return engine, name, end, nil
}

// LoadLibrary compiles a library and runs its top-level code, which
// registers its functions, then adds it to the current libraries
// (FUNCTION LOAD, functionsCreateWithLibraryCtx). With replace an
// existing library of the same name is replaced. timeout bounds the
// top-level code (LoadTimeout for clients, 0 for none).
func (e *Engine) LoadLibrary(code []byte, replace bool, timeout time.Duration) (*Library, error) {
	e.libMu.Lock()
	defer e.libMu.Unlock()
	return e.loadLibrary(e.libs, code, replace, timeout)
}

// LoadLibraryInto is LoadLibrary into another set (FUNCTION RESTORE
// builds one and joins it).
func (e *Engine) LoadLibraryInto(ls *Libraries, code []byte, replace bool, timeout time.Duration) (*Library, error) {
	return e.loadLibrary(ls, code, replace, timeout)
}

func (e *Engine) loadLibrary(ls *Libraries, code []byte, replace bool, timeout time.Duration) (*Library, error) {
	engine, name, offset, err := ParseLibraryMeta(code)
	if err != nil {
		return nil, err
	}
	if !verifyName(name) {
		return nil, ReplyError(ErrLibName)
	}
	if !strings.EqualFold(engine, "LUA") {
		return nil, errEngineNotFound(engine)
	}
	old := ls.libs[name]
	if old != nil && !replace {
		return nil, ReplyError(ErrLibraryExists(name))
	}
	lib := &Library{Name: name, Engine: "LUA", Code: append([]byte(nil), code...)}
	if err := e.runLibrary(lib, string(code[offset:]), timeout); err != nil {
		return nil, err
	}
	if len(lib.Functions) == 0 {
		return nil, ReplyError(ErrNoFunctions)
	}
	if old != nil {
		ls.unlink(old)
	}
	seen := make(map[string]bool, len(lib.Functions))
	for _, f := range lib.Functions {
		k := foldName(f.Name)
		if ls.funcs[k] != nil || seen[k] {
			if old != nil {
				ls.link(old)
			}
			return nil, ReplyError(ErrFunctionExists(f.Name))
		}
		seen[k] = true
	}
	ls.link(lib)
	return lib, nil
}

// runLibrary is luaEngineCreate: compile and run the library code with
// the library API as globals.
func (e *Engine) runLibrary(lib *Library, src string, timeout time.Duration) error {
	e.fnMu.Lock()
	defer e.fnMu.Unlock()
	v := e.fnVM()
	proto, msg := compile(src, "@user_function")
	if proto == nil {
		return errCompileFunction(msg)
	}
	L := v.L
	fn := L.NewFunctionFromProto(proto)
	fn.Env = v.env
	v.envMeta.RawSetString("__index", v.libAPI)
	v.loading = lib
	ctx := newKillCtx()
	L.SetContext(ctx)
	var timer *time.Timer
	if timeout > 0 {
		timer = time.AfterFunc(timeout, func() { ctx.kill(errLoadTimeout) })
	}
	L.Push(fn)
	err := L.PCall(0, 0, nil)
	if timer != nil {
		timer.Stop()
	}
	if p := v.hostPanic; p != nil {
		v.close()
		e.fn = nil
		panic(p)
	}
	timedOut := ctx.killed()
	L.SetContext(v.ctx)
	v.loading = nil
	v.envMeta.RawSetString("__index", v.globals)
	L.SetTop(0)
	clear(v.sources)
	if err == nil {
		return nil
	}
	if timedOut {
		return errRegisterFunctions("ERR " + ErrFunctionLoadTime)
	}
	var obj lua.LValue = lua.LString(err.Error())
	if aerr, ok := err.(*lua.ApiError); ok {
		obj = aerr.Object
	}
	// luaExtractErrorInformation: a string becomes "ERR <string>"; a
	// table gives its err field.
	var text string
	if s, ok := toString(obj); ok {
		text = "ERR " + s
	}
	if t, ok := obj.(*lua.LTable); ok {
		if s, ok := toString(t.RawGetString("err")); ok {
			text = s
		}
	}
	return errRegisterFunctions(text)
}

var errLoadTimeout = errors.New(ErrFunctionLoadTime)

// fnVM returns the function state; e.fnMu must be held.
func (e *Engine) fnVM() *vm {
	if e.fn == nil {
		e.fn = newVM(e, modeFunction)
	}
	return e.fn
}

// Function returns the current function with this name (any case), or
// nil.
func (e *Engine) Function(name []byte) *Function {
	e.libMu.RLock()
	defer e.libMu.RUnlock()
	return e.libs.funcs[foldName(string(name))]
}

// Library returns the current library with this name, or nil.
func (e *Engine) Library(name string) *Library {
	e.libMu.RLock()
	defer e.libMu.RUnlock()
	return e.libs.libs[name]
}

// ListLibraries returns the current libraries sorted by name.
func (e *Engine) ListLibraries() []*Library {
	e.libMu.RLock()
	defer e.libMu.RUnlock()
	return e.libs.List()
}

// LibraryStats returns the number of libraries and functions.
func (e *Engine) LibraryStats() (libraries, functions int) {
	e.libMu.RLock()
	defer e.libMu.RUnlock()
	return e.libs.Len(), e.libs.NumFunctions()
}

// FunctionsMemory approximates used_memory_functions (functions.c's
// functionsMemoryOverhead): the registry of engines, libraries and
// functions, and the libraries' code. Redis 7.0.15 reports 200 bytes with
// no library.
func (e *Engine) FunctionsMemory() int64 {
	e.libMu.RLock()
	defer e.libMu.RUnlock()
	n := int64(functionsBaseOverhead)
	for _, l := range e.libs.libs {
		n += int64(len(l.Code)+len(l.Name)) + libraryOverhead
		for _, f := range l.Functions {
			n += int64(len(f.Name)+len(f.Desc)) + functionOverhead
		}
	}
	return n
}

// The parts of FunctionsMemory: the empty registry; per library (its
// functionLibInfo, name and dict entries); per function (functionInfo,
// its dict entries).
const (
	functionsBaseOverhead = 200
	libraryOverhead       = 96
	functionOverhead      = 64
)

// DeleteLibrary removes a library (FUNCTION DELETE).
func (e *Engine) DeleteLibrary(name string) bool {
	e.libMu.Lock()
	defer e.libMu.Unlock()
	return e.libs.Delete(name)
}

// FlushLibraries removes every library (FUNCTION FLUSH).
func (e *Engine) FlushLibraries() {
	e.libMu.Lock()
	e.libs = NewLibraries()
	e.libMu.Unlock()
}

// JoinLibraries adds the libraries of src to the current ones (FUNCTION
// RESTORE APPEND/REPLACE).
func (e *Engine) JoinLibraries(src *Libraries, replace bool) error {
	e.libMu.Lock()
	defer e.libMu.Unlock()
	return e.libs.Join(src, replace)
}

// SetLibraries replaces the current libraries (FUNCTION RESTORE FLUSH,
// loading an RDB).
func (e *Engine) SetLibraries(ls *Libraries) {
	e.libMu.Lock()
	e.libs = ls
	e.libMu.Unlock()
}

// FCall runs a function with the given keys and args (passed to it as
// two tables) and appends its reply to w, in w.Proto. Function runs are
// serialized. r.Client and r.ReadOnly must be set; the host has already
// applied PrepareError with f.Flags.
func (e *Engine) FCall(r *Run, f *Function, keys, args [][]byte, w *resp.Writer) {
	e.fnMu.Lock()
	defer e.fnMu.Unlock()
	v := e.fnVM()
	r.begin(v, f.Name, runFlags(f.Flags, r.ReadOnly, false))
	L := v.L
	L.Push(f.fn)
	L.Push(stringArray(L, keys))
	L.Push(stringArray(L, args))
	err := L.PCall(2, 1, v.errHandler)
	if p := v.hostPanic; p != nil {
		r.end(v)
		v.close()
		e.fn = nil
		panic(p)
	}
	v.finish(r, err, w)
	v.reset(r)
}

// registerFunction is redis.register_function (luaRegisterFunction).
func (v *vm) registerFunction(L *lua.LState) int {
	lib := v.loading
	if lib == nil {
		raiseRedisError(L, "redis.register_function can only be called on FUNCTION LOAD command")
	}
	f, msg := readRegisterArgs(L)
	if f == nil {
		raiseRedisError(L, msg)
	}
	if !verifyName(f.Name) {
		raiseRedisError(L, strings.TrimPrefix(ErrLibName, "ERR "))
	}
	for _, o := range lib.Functions {
		if o.Name == f.Name {
			raiseRedisError(L, "Function already exists in the library")
		}
	}
	f.Library = lib
	lib.Functions = append(lib.Functions, f)
	return 0
}

// readRegisterArgs is luaRegisterFunctionReadArgs.
func readRegisterArgs(L *lua.LState) (*Function, string) {
	switch L.GetTop() {
	case 1:
		return readNamedArgs(L)
	case 2:
		name, ok := toString(L.Get(1))
		if !ok {
			return nil, "first argument to redis.register_function must be a string"
		}
		fn, ok := L.Get(2).(*lua.LFunction)
		if !ok {
			return nil, "second argument to redis.register_function must be a function"
		}
		return &Function{Name: name, fn: fn}, ""
	}
	return nil, "wrong number of arguments to redis.register_function"
}

func readNamedArgs(L *lua.LState) (*Function, string) {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		return nil, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments)."
	}
	f := &Function{}
	gotName := false
	for k, val := t.Next(lua.LNil); k != lua.LNil; k, val = t.Next(k) {
		key, ok := toString(k)
		if !ok {
			return nil, "named argument key given to redis.register_function is not a string"
		}
		switch {
		case strings.EqualFold(key, "function_name"):
			s, ok := toString(val)
			if !ok {
				return nil, "function_name argument given to redis.register_function must be a string"
			}
			f.Name, gotName = s, true
		case strings.EqualFold(key, "description"):
			s, ok := toString(val)
			if !ok {
				return nil, "description argument given to redis.register_function must be a string"
			}
			f.Desc, f.HasDesc = s, true
		case strings.EqualFold(key, "callback"):
			fn, ok := val.(*lua.LFunction)
			if !ok {
				return nil, "callback argument given to redis.register_function must be a function"
			}
			f.fn = fn
		case strings.EqualFold(key, "flags"):
			ft, ok := val.(*lua.LTable)
			if !ok {
				return nil, "flags argument to redis.register_function must be a table representing function flags"
			}
			flags, ok := readFlags(L, ft)
			if !ok {
				return nil, "unknown flag given"
			}
			f.Flags = flags
		default:
			return nil, "unknown argument given to redis.register_function"
		}
	}
	if !gotName {
		return nil, "redis.register_function must get a function name argument"
	}
	if f.fn == nil {
		return nil, "redis.register_function must get a callback argument"
	}
	return f, ""
}

// readFlags is luaRegisterFunctionReadFlags.
func readFlags(L *lua.LState, t *lua.LTable) (Flags, bool) {
	var flags Flags
	for j := 1; ; j++ {
		e := L.GetTable(t, lua.LNumber(j))
		if e == lua.LNil {
			return flags, true
		}
		s, ok := toString(e)
		if !ok {
			return 0, false
		}
		f, ok := flagByName(s, true)
		if !ok {
			return 0, false
		}
		flags |= f
	}
}
