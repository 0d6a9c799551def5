package script

import (
	"crypto/sha1"
	"encoding/hex"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The redis.* API of script_lua.c (and eval.c's debugging stubs).

func (v *vm) openRedis() *lua.LTable {
	L := v.L
	t := L.NewTable()
	v.callFn = L.NewFunction(v.redisCall)
	v.pcallFn = L.NewFunction(v.redisPcall)
	v.callStmt = L.NewFunction(v.redisCallStmt)
	v.pcallStmt = L.NewFunction(v.redisPcallStmt)
	t.RawSetString("call", v.callFn)
	t.RawSetString("pcall", v.pcallFn)
	v.registerLog(t)
	v.registerVersion(t)
	t.RawSetString("setresp", L.NewFunction(v.redisSetresp))
	t.RawSetString("sha1hex", L.NewFunction(redisSha1hex))
	t.RawSetString("error_reply", L.NewFunction(redisErrorReply))
	t.RawSetString("status_reply", L.NewFunction(redisStatusReply))
	t.RawSetString("set_repl", L.NewFunction(v.redisSetRepl))
	t.RawSetString("REPL_NONE", lua.LNumber(ReplNone))
	t.RawSetString("REPL_AOF", lua.LNumber(ReplAOF))
	t.RawSetString("REPL_SLAVE", lua.LNumber(ReplReplica))
	t.RawSetString("REPL_REPLICA", lua.LNumber(ReplReplica))
	t.RawSetString("REPL_ALL", lua.LNumber(ReplAll))
	t.RawSetString("acl_check_cmd", L.NewFunction(v.redisACLCheckCmd))
	return t
}

func (v *vm) registerLog(t *lua.LTable) {
	t.RawSetString("log", v.L.NewFunction(v.redisLog))
	t.RawSetString("LOG_DEBUG", lua.LNumber(LogDebug))
	t.RawSetString("LOG_VERBOSE", lua.LNumber(LogVerbose))
	t.RawSetString("LOG_NOTICE", lua.LNumber(LogNotice))
	t.RawSetString("LOG_WARNING", lua.LNumber(LogWarning))
}

func (v *vm) registerVersion(t *lua.LTable) {
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(v.e.cfg.VersionNum))
	t.RawSetString("REDIS_VERSION", lua.LString(v.e.cfg.Version))
}

// raiseRedisError raises luaPushError(msg) with lua_error: a Redis error
// table, message prefixed with "ERR " unless it is "-CODE msg".
func raiseRedisError(L *lua.LState, msg string) {
	L.Error(errorTable(L, msg), 0)
}

// errorTable is luaPushErrorBuff: "-CODE msg" keeps its code, anything
// else gets "ERR"; a trailing CR/LF is trimmed.
func errorTable(L *lua.LState, msg string) *lua.LTable {
	code, text := "ERR", msg
	if strings.HasPrefix(msg, "-") {
		if sp := strings.IndexByte(msg, ' '); sp >= 0 {
			code, text = msg[1:sp], msg[sp+1:]
		} else {
			text = msg[1:]
		}
	}
	text = strings.Trim(text, "\r\n")
	t := L.CreateTable(0, 2)
	t.RawSetString("err", lua.LString(code+" "+text))
	return t
}

// redisCall and redisPcall are luaRedisGenericCommand.
func (v *vm) redisCall(L *lua.LState) int  { return v.redisGeneric(L, true, true) }
func (v *vm) redisPcall(L *lua.LState) int { return v.redisGeneric(L, false, true) }

// redisCallStmt and redisPcallStmt are redis.call and redis.pcall where
// the script drops the result (a call statement: specialize puts them in
// its code). They skip converting the reply, which for a "+OK" means
// checking the reused status table (see okTable); errors raise as ever.
func (v *vm) redisCallStmt(L *lua.LState) int  { return v.redisGeneric(L, true, false) }
func (v *vm) redisPcallStmt(L *lua.LState) int { return v.redisGeneric(L, false, false) }

func (v *vm) redisGeneric(L *lua.LState, raiseErr, result bool) int {
	r := v.run
	if r == nil {
		raiseRedisError(L, msgCallOutsideRun)
	}
	argv, msg := v.collectArgv(L)
	if argv == nil {
		if raiseErr {
			raiseRedisError(L, msg)
		}
		L.Push(errorTable(L, msg))
		return 1
	}
	v.reply.Reset()
	v.reply.Proto = r.resp
	v.hostCall(r, argv)
	buf := v.reply.Buf
	var val lua.LValue = lua.LNil
	if result || raiseErr && buf[0] == '-' {
		val, _ = v.parseReply(buf, 0)
	}
	// Drop large reply buffers rather than keep them in the pool.
	if cap(v.reply.Buf) > 64<<10 {
		v.reply.Buf = nil
	}
	if raiseErr && buf[0] == '-' {
		L.Error(val, 0)
	}
	L.Push(val)
	return 1
}

// hostCall runs a command through the host.
func (v *vm) hostCall(r *Run, argv [][]byte) {
	defer v.notePanic()
	v.e.cfg.Host.Call(r, argv, &v.reply)
	if len(v.reply.Buf) == 0 {
		panic("BUG: Host.Call wrote no reply")
	}
}

// guardHost runs a host callback from inside Lua.
func (v *vm) guardHost(f func()) {
	defer v.notePanic()
	f()
}

// notePanic records a panic of the host so that it is raised again once
// the Lua state has unwound (gopher-lua's PCall would otherwise turn it
// into a script error and hide it).
func (v *vm) notePanic() {
	if p := recover(); p != nil {
		v.hostPanic = p
		panic(p)
	}
}

// collectArgv is luaArgsToRedisArgv: strings as they are, numbers as
// "%.17g"; anything else is refused. The bytes live in v.argbuf (an
// argument made before the buffer grew stays in the old one, which is as
// good).
func (v *vm) collectArgv(L *lua.LState) ([][]byte, string) {
	n := L.GetTop()
	if n == 0 {
		return nil, msgNoArgs
	}
	buf := v.argbuf[:0]
	argv := v.argv[:0]
	for i := 1; i <= n; i++ {
		start := len(buf)
		switch x := L.Get(i).(type) {
		case lua.LString:
			buf = append(buf, x...)
		case lua.LNumber:
			buf = appendG17(buf, float64(x))
		default:
			return nil, msgBadArgs
		}
		argv = append(argv, buf[start:len(buf):len(buf)])
	}
	v.argbuf = buf
	v.argv = argv
	return argv, ""
}

// appendG17 formats like C's "%.17g" (luaArgsToRedisArgv, and the
// doubles of RESP).
func appendG17(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f != f:
		if math.Signbit(f) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	}
	if f == 0 && math.Signbit(f) {
		return append(dst, "-0"...)
	}
	return appendFloatG(dst, f, 17)
}

// redisSetresp is luaSetResp.
func (v *vm) redisSetresp(L *lua.LState) int {
	if v.run == nil {
		raiseRedisError(L, "redis.setresp can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		raiseRedisError(L, "redis.setresp() requires one argument.")
	}
	f, _ := toNumber(L.Get(1))
	proto := cInt32(f)
	if proto != 2 && proto != 3 {
		raiseRedisError(L, "RESP version must be 2 or 3.")
	}
	v.run.resp = int(proto)
	return 0
}

// redisSetRepl is luaRedisSetReplCommand.
func (v *vm) redisSetRepl(L *lua.LState) int {
	if v.run == nil {
		raiseRedisError(L, "redis.set_repl can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		raiseRedisError(L, "redis.set_repl() requires two arguments.")
	}
	f, _ := toNumber(L.Get(1))
	flags := cInt32(f)
	if flags&^ReplAll != 0 {
		raiseRedisError(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	v.run.repl = int(flags)
	return 0
}

// redisLog is luaLogCommand.
func (v *vm) redisLog(L *lua.LState) int {
	n := L.GetTop()
	if n < 2 {
		raiseRedisError(L, "redis.log() requires two arguments or more.")
	}
	f, ok := toNumber(L.Get(1))
	if !ok {
		raiseRedisError(L, "First argument must be a number (log level).")
	}
	level := cInt32(f)
	if level < LogDebug || level > LogWarning {
		raiseRedisError(L, "Invalid debug level.")
	}
	var b strings.Builder
	for i := 2; i <= n; i++ {
		if s, ok := toString(L.Get(i)); ok {
			if i != 2 {
				b.WriteByte(' ')
			}
			b.WriteString(s)
		}
	}
	v.guardHost(func() { v.e.cfg.Host.Log(int(level), b.String()) })
	return 0
}

// redisSha1hex is luaRedisSha1hexCommand.
func redisSha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		raiseRedisError(L, msgWrongArgs)
	}
	s, _ := toString(L.Get(1))
	sum := sha1.Sum([]byte(s))
	L.Push(lua.LString(hex.EncodeToString(sum[:])))
	return 1
}

// redisErrorReply is luaRedisErrorReplyCommand: a wrong call returns (not
// raises) an error table.
func redisErrorReply(L *lua.LState) int {
	s, ok := L.Get(-1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errorTable(L, msgWrongArgsOrType))
		return 1
	}
	msg := string(s)
	if i := strings.IndexByte(msg, 0); i >= 0 {
		msg = msg[:i]
	}
	if !strings.HasPrefix(msg, "-") {
		msg = "-" + msg
	}
	L.Push(errorTable(L, msg))
	return 1
}

// redisStatusReply is luaRedisStatusReplyCommand.
func redisStatusReply(L *lua.LState) int {
	s, ok := L.Get(-1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errorTable(L, msgWrongArgsOrType))
		return 1
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("ok", s)
	L.Push(t)
	return 1
}

// redisACLCheckCmd is luaRedisAclCheckCmdPermissionsCommand.
func (v *vm) redisACLCheckCmd(L *lua.LState) int {
	if v.run == nil {
		raiseRedisError(L, "redis.acl_check_cmd can only be called inside a script invocation")
	}
	argv, msg := v.collectArgv(L)
	if argv == nil {
		raiseRedisError(L, msg)
	}
	var allowed, known bool
	v.guardHost(func() { allowed, known = v.e.cfg.Host.ACLCheck(v.run, argv) })
	if !known {
		raiseRedisError(L, "Invalid command passed to redis.acl_check_cmd()")
	}
	L.Push(lua.LBool(allowed))
	return 1
}

// redisBreakpoint, redisDebug and redisReplicateCommands are eval.c's
// stubs: no debugger session is ever active, and effects replication is
// always on.
func redisBreakpoint(L *lua.LState) int {
	L.Push(lua.LFalse)
	return 1
}

func redisDebug(L *lua.LState) int { return 0 }

func redisReplicateCommands(L *lua.LState) int {
	L.Push(lua.LTrue)
	return 1
}

// mathRandom is redis_math_random: Lua 5.1's math.random over the
// server's lrand48.
func (v *vm) mathRandom(L *lua.LState) int {
	if v.run == nil {
		raise(L, "math.random can only be called inside a script invocation")
	}
	r := float64(v.e.rand.next()%lrandMax) / float64(lrandMax)
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := checkInt(L, 1)
		if u < 1 {
			argError(L, 1, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l := checkInt(L, 1)
		u := checkInt(L, 2)
		if l > u {
			argError(L, 2, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*(float64(u)-float64(l)+1)) + float64(l)))
	default:
		raise(L, "wrong number of arguments")
	}
	return 1
}

// mathRandomseed is redis_math_randomseed.
func (v *vm) mathRandomseed(L *lua.LState) int {
	if v.run == nil {
		raise(L, "math.randomseed can only be called inside a script invocation")
	}
	v.e.rand.seed(checkInt(L, 1))
	return 0
}
