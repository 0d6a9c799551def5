package script

import (
	"reflect"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua words some runtime errors differently from Lua 5.1. The
// handlers that turn errors into replies (and pcall) rewrite them into
// Lua 5.1's wording. Lua also names the variable involved ("local 'x'",
// "field 'y'"); that needs the failing frame, which only the error
// handler of a script's run sees: there callErrorText names the called
// variable of a failed call. Other errors, and errors caught by pcall,
// go without the name.

// luaErrorText rewrites a gopher-lua runtime error message (with its
// "chunk:line: " prefix, if any) into Lua 5.1's wording.
func luaErrorText(msg string) string {
	prefix, body := splitPosition(msg)
	if t, ok := rewriteBody(body); ok {
		return prefix + t
	}
	return msg
}

// splitPosition splits "chunk:line: rest" after the position.
func splitPosition(msg string) (string, string) {
	for i := 0; i+1 < len(msg); i++ {
		if msg[i] == ':' && i+1 < len(msg) && isDigit(msg[i+1]) {
			j := i + 1
			for j < len(msg) && isDigit(msg[j]) {
				j++
			}
			if j+1 < len(msg) && msg[j] == ':' && msg[j+1] == ' ' {
				return msg[:j+2], msg[j+2:]
			}
		}
	}
	return "", msg
}

func rewriteBody(b string) (string, bool) {
	switch {
	case strings.HasPrefix(b, "cannot perform concat operation between "):
		a, c, ok := twoTypes(b[len("cannot perform concat operation between "):], " and ")
		if !ok {
			return "", false
		}
		bad := a
		if a == "string" || a == "number" {
			bad = c
		}
		return "attempt to concatenate a " + bad + " value", true
	case strings.HasPrefix(b, "cannot perform ") && strings.Contains(b, " operation between "):
		rest := b[strings.Index(b, " operation between ")+len(" operation between "):]
		a, c, ok := twoTypes(rest, " and ")
		if !ok {
			return "", false
		}
		// luaG_aritherror blames the first operand that is not a number
		// (a numeric string counts as one).
		bad := a
		if a == "number" || a == "string" && c != "number" && c != "string" {
			bad = c
		}
		return "attempt to perform arithmetic on a " + bad + " value", true
	case strings.HasPrefix(b, "attempt to compare "):
		a, c, ok := twoTypes(b[len("attempt to compare "):], " with ")
		if !ok {
			return "", false
		}
		if a == c {
			return "attempt to compare two " + a + " values", true
		}
		return "attempt to compare " + a + " with " + c, true
	case strings.HasPrefix(b, "attempt to index a non-table object("):
		rest := b[len("attempt to index a non-table object("):]
		i := strings.IndexByte(rest, ')')
		if i < 0 {
			return "", false
		}
		return "attempt to index a " + rest[:i] + " value", true
	case b == "attempt to call a non-function object":
		return "attempt to call a nil value", true
	case strings.TrimSpace(b) == "can not yield from outside of a coroutine":
		return "attempt to yield across metamethod/C-call boundary", true
	case b == "__len undefined":
		return "attempt to get length of a nil value", true
	case b == "for statement init must be a number":
		return "'for' initial value must be a number", true
	case b == "for statement limit must be a number":
		return "'for' limit must be a number", true
	case b == "for statement step must be a number":
		return "'for' step must be a number", true
	case strings.HasPrefix(b, "bad argument #"):
		// gopher-lua: "bad argument #1 to rep (msg)"; Lua quotes the name.
		sp := strings.Index(b, " to ")
		if sp < 0 {
			return "", false
		}
		rest := b[sp+4:]
		paren := strings.Index(rest, " (")
		if paren < 0 || strings.HasPrefix(rest, "'") {
			return "", false
		}
		name := rest[:paren]
		if name == "" || name[0] == '(' || name[0] == '<' {
			name = "?"
		}
		return b[:sp] + " to '" + name + "'" + rest[paren:], true
	}
	return "", false
}

func twoTypes(s, sep string) (string, string, bool) {
	i := strings.Index(s, sep)
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+len(sep):], true
}

// msgCallNonFunction is gopher-lua's error for calling a value that is
// neither a function nor has a __call metamethod.
const msgCallNonFunction = "attempt to call a non-function object"

// callErrorText rewrites msg, when it is gopher-lua's error for a failed
// call made by the CALL instruction the Lua frame dbg is running, into
// Lua 5.1's luaG_typeerror wording: "attempt to call field 'x' (a nil
// value)", naming the called variable as ldebug.c's getobjname does, and
// giving the type of the called value. ok is false for any other error.
func (v *vm) callErrorText(L *lua.LState, dbg *lua.Debug, msg string) (text string, ok bool) {
	prefix, body := splitPosition(msg)
	if body != msgCallNonFunction {
		return "", false
	}
	fv, _ := L.GetInfo("f", dbg, lua.LNil)
	fn, isFn := fv.(*lua.LFunction)
	if !isFn || fn.IsG {
		return "", false
	}
	// A specialized copy names nothing where it loads a constant: read
	// the code it was made from (same instructions at the same places).
	p := fn.Proto
	if o := v.origins[p]; o != nil {
		p = o
	}
	pc := framePC(dbg)
	if pc < 0 || pc >= len(p.Code) {
		return "", false
	}
	switch instOp(p.Code[pc]) {
	case lua.OP_CALL, lua.OP_TAILCALL:
	default:
		return "", false
	}
	a := instA(p.Code[pc])
	// Register a of the frame, by its local number (named or a
	// temporary): the value called.
	_, val := L.GetLocal(dbg, a+1)
	text = "attempt to call "
	if kind, name := objectName(fn, p, pc, a); kind != "" {
		text += kind + " '" + name + "' (a " + typeOf(val) + " value)"
	} else {
		text += "a " + typeOf(val) + " value"
	}
	return prefix + text, true
}

// framePC is the index of the instruction the Lua frame of dbg is
// running, or -1. gopher-lua keeps the frame's program counter (the next
// instruction) in the unexported frame behind a Debug and exports no
// accessor; it is read through reflect, read-only. A gopher-lua without
// that field yields -1 and the error keeps its unnamed wording.
func framePC(dbg *lua.Debug) int {
	f := reflect.ValueOf(dbg).Elem().FieldByName("frame")
	if f.Kind() != reflect.Pointer || f.IsNil() {
		return -1
	}
	pc := f.Elem().FieldByName("Pc")
	if pc.Kind() != reflect.Int {
		return -1
	}
	return int(pc.Int()) - 1
}

// objectName describes what register reg holds at instruction pc of fn,
// whose code is p, as ldebug.c's getobjname: a named local, else from the
// instruction that last set it, a global, a field or method of a constant
// name ("?" for other keys) or an upvalue. kind is "" when it cannot tell.
func objectName(fn *lua.LFunction, p *lua.FunctionProto, pc, reg int) (kind, name string) {
	if name, ok := fn.LocalName(reg+1, pc); ok {
		return "local", name
	}
	setter := lastSetter(p, pc, reg)
	if setter < 0 {
		return "", ""
	}
	inst := p.Code[setter]
	switch instOp(inst) {
	case lua.OP_GETGLOBAL:
		if s, ok := p.Constants[instBx(inst)].(lua.LString); ok {
			return "global", string(s)
		}
	case lua.OP_MOVE, lua.OP_MOVEN:
		if b := instB(inst); b < instA(inst) {
			return objectName(fn, p, pc, b)
		}
	case lua.OP_GETTABLE, lua.OP_GETTABLEKS:
		return "field", constName(p, instC(inst))
	case lua.OP_SELF:
		return "method", constName(p, instC(inst))
	case lua.OP_GETUPVAL:
		if b := instB(inst); b < len(p.DbgUpvalues) {
			return "upvalue", p.DbgUpvalues[b]
		}
		return "upvalue", "?"
	}
	return "", ""
}

// constName is ldebug.c's kname: the string constant an RK operand
// names, else "?".
func constName(p *lua.FunctionProto, rk int) string {
	if rk&opRKConst != 0 {
		if s, ok := p.Constants[rk&^opRKConst].(lua.LString); ok {
			return string(s)
		}
	}
	return "?"
}

// lastSetter is the index of the last instruction before lastpc that
// sets register reg, following forward jumps that do not pass lastpc
// (ldebug.c's symbexec), or -1.
func lastSetter(p *lua.FunctionProto, lastpc, reg int) int {
	last := -1
	code := p.Code
	for pc := 0; pc < lastpc && pc < len(code); pc++ {
		inst := code[pc]
		a := instA(inst)
		switch op := instOp(inst); op {
		case lua.OP_MOVE, lua.OP_MOVEN, lua.OP_LOADK, lua.OP_LOADBOOL, lua.OP_GETUPVAL,
			lua.OP_GETGLOBAL, lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_NEWTABLE,
			lua.OP_ADD, lua.OP_SUB, lua.OP_MUL, lua.OP_DIV, lua.OP_MOD, lua.OP_POW,
			lua.OP_UNM, lua.OP_NOT, lua.OP_LEN, lua.OP_CONCAT, lua.OP_TEST, lua.OP_TESTSET,
			lua.OP_FORLOOP, lua.OP_FORPREP:
			// (MOVEN's MOVEs follow it as ordinary MOVE instructions.)
			if a == reg {
				last = pc
			}
		case lua.OP_LOADNIL:
			if a <= reg && reg <= instB(inst) {
				last = pc
			}
		case lua.OP_SELF:
			if reg == a || reg == a+1 {
				last = pc
			}
		case lua.OP_CALL, lua.OP_TAILCALL, lua.OP_TFORLOOP, lua.OP_VARARG:
			if reg >= a { // sets every register from a up
				last = pc
			}
		case lua.OP_JMP:
			if dest := pc + 1 + instSbx(inst); pc < dest && dest <= lastpc {
				pc = dest - 1
			}
		case lua.OP_SETLIST:
			if instC(inst) == 0 { // the next word is C
				pc++
			}
		case lua.OP_CLOSURE:
			if a == reg {
				last = pc
			}
			pc += int(p.FunctionPrototypes[instBx(inst)].NumUpvalues)
		}
	}
	return last
}
