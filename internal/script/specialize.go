package script

import (
	lua "github.com/yuin/gopher-lua"
)

// Constant globals for EVAL scripts.
//
// In an EVAL state the globals never change once it is built, except KEYS
// and ARGV, whose tables stay the same from run to run (argSlot) until a
// script spoils one. The library tables behind the read-only views never
// change either. So, in a script whose environment is the globals table
// (one that assigns no global, see vm.closure), reading a global always
// yields the same value, and so does reading a field of a library through
// its view: redis.call is always the same function. specialize copies a
// script's compiled code for one state with those reads turned into
// constant loads:
//
//	GETGLOBAL  A "redis"        ->  LOADK A <the redis view>
//	GETTABLEKS A A "call"       ->  LOADK A <redis.call>
//
// A field read is rewritten only right after a rewritten load of its table
// into the register it reads, and only when no jump lands on it, so the
// register holds that table whenever it runs. The rest of the code, its
// debug information and so its error messages are unchanged. A loop of
// redis.call's spends most of its time in the VM on these lookups (three
// table lookups per global through a view, two per library field).
//
// redis.call and redis.pcall in a call statement (the result is dropped)
// are loaded as variants that do not convert the reply (callStatement).
//
// The copies belong to the state (vm.closures); they are dropped with the
// closures, which happens when KEYS or ARGV gets a new table. vm.origins
// maps each copy back to the compiled code, where a failed call finds the
// name of the variable it called (callErrorText).

// gopher-lua's instruction layout (opcode.go): opcode in the top 6 bits,
// A in the next 8, then C and B (9 bits each) or Bx (18 bits); an RK
// operand with bit 8 set is a constant index.
const (
	opMaxBx   = 1<<18 - 1
	opMaxSbx  = opMaxBx >> 1
	opRKConst = 1 << 8
)

func instOp(i uint32) int  { return int(i >> 26) }
func instA(i uint32) int   { return int(i>>18) & 0xff }
func instB(i uint32) int   { return int(i & 0x1ff) }
func instC(i uint32) int   { return int(i>>9) & 0x1ff }
func instBx(i uint32) int  { return int(i & 0x3ffff) }
func instSbx(i uint32) int { return instBx(i) - opMaxSbx }

func loadK(a, bx int) uint32 { return uint32(lua.OP_LOADK)<<26 | uint32(a)<<18 | uint32(bx) }

// specialize returns a copy of p (and of the functions nested in it) for
// this state, with the reads of constant globals and library fields
// turned into constant loads. It returns p itself when nothing changes.
func (v *vm) specialize(p *lua.FunctionProto) *lua.FunctionProto {
	var children []*lua.FunctionProto
	for i, child := range p.FunctionPrototypes {
		if c := v.specialize(child); c != child {
			if children == nil {
				children = append([]*lua.FunctionProto(nil), p.FunctionPrototypes...)
			}
			children[i] = c
		}
	}
	code := p.Code
	targets := jumpTargets(p)
	var (
		out    []uint32     // rewritten code, made on the first change
		consts []lua.LValue // constants added
		index  map[lua.LValue]int
	)
	constant := func(val lua.LValue) (int, bool) {
		if k, ok := index[val]; ok {
			return k, true
		}
		k := len(p.Constants) + len(consts)
		if k > opMaxBx {
			return 0, false
		}
		if index == nil {
			index = make(map[lua.LValue]int)
		}
		index[val] = k
		consts = append(consts, val)
		return k, true
	}
	rewrite := func(pc, a int, val lua.LValue) bool {
		k, ok := constant(val)
		if !ok {
			return false
		}
		if out == nil {
			out = append([]uint32(nil), code...)
		}
		out[pc] = loadK(a, k)
		return true
	}
	// known is the constant the previous instruction loaded into register
	// knownReg (nil if none).
	var known lua.LValue
	knownReg := -1
	for pc := 0; pc < len(code); pc++ {
		inst := code[pc]
		a := instA(inst)
		var loaded lua.LValue
		switch instOp(inst) {
		case lua.OP_GETGLOBAL:
			if name, ok := p.Constants[instBx(inst)].(lua.LString); ok {
				if val := v.constGlobal(string(name)); val != nil && rewrite(pc, a, val) {
					loaded = val
				}
			}
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS:
			c := instC(inst)
			if known == nil || knownReg != instB(inst) || targets[pc] || c&opRKConst == 0 {
				break
			}
			key, ok := p.Constants[c&^opRKConst].(lua.LString)
			if !ok {
				break
			}
			val := v.constField(known, string(key))
			if val == nil {
				break
			}
			if (val == v.callFn || val == v.pcallFn) && callStatement(p, pc, a, targets) {
				if val == v.callFn {
					val = v.callStmt
				} else {
					val = v.pcallStmt
				}
			}
			if rewrite(pc, a, val) {
				loaded = val
			}
		case lua.OP_MOVEN: // followed by C MOVEs it runs itself
			pc += instC(inst)
		case lua.OP_SETLIST: // C == 0: the next word is C
			if instC(inst) == 0 {
				pc++
			}
		case lua.OP_CLOSURE: // followed by one pseudo-instruction per upvalue
			pc += int(p.FunctionPrototypes[instBx(inst)].NumUpvalues)
		}
		known, knownReg = loaded, a
		if loaded == nil {
			knownReg = -1
		}
	}
	if out == nil && children == nil {
		return p
	}
	q := *p
	if out != nil {
		q.Code = out
		q.Constants = append(p.Constants[:len(p.Constants):len(p.Constants)], consts...)
	}
	if children != nil {
		q.FunctionPrototypes = children
	}
	if v.origins == nil {
		v.origins = make(map[*lua.FunctionProto]*lua.FunctionProto)
	}
	v.origins[&q] = p
	return &q
}

// callStatement reports whether the function loaded into register a at
// pc is surely called by a CALL that wants no result (a call statement),
// with nothing in between that could jump, be jumped to, or read or write
// register a: the code of the arguments, which only uses the registers
// above a.
// Anything unusual answers false, which only forgoes the shortcut.
func callStatement(p *lua.FunctionProto, pc, a int, targets []bool) bool {
	for j := pc + 1; j < len(p.Code); j++ {
		if targets[j] {
			return false
		}
		inst := p.Code[j]
		op := instOp(inst)
		if op == lua.OP_CALL && instA(inst) == a {
			return instC(inst) == 1
		}
		if instA(inst) <= a {
			return false
		}
		// Nor may it read register a (an RK operand >= 256 is a
		// constant, never a register).
		b, c := instB(inst), instC(inst)
		switch op {
		case lua.OP_LOADK, lua.OP_GETGLOBAL, lua.OP_GETUPVAL, lua.OP_NEWTABLE, lua.OP_CALL:
		case lua.OP_MOVE, lua.OP_LEN, lua.OP_NOT, lua.OP_UNM:
			if b == a {
				return false
			}
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_SELF,
			lua.OP_ADD, lua.OP_SUB, lua.OP_MUL, lua.OP_DIV, lua.OP_MOD, lua.OP_POW:
			if b == a || c == a {
				return false
			}
		case lua.OP_CONCAT:
			if b <= a && a <= c {
				return false
			}
		default:
			return false
		}
	}
	return false
}

// jumpTargets marks the instructions of p that a jump or a conditional
// skip can land on.
func jumpTargets(p *lua.FunctionProto) []bool {
	code := p.Code
	t := make([]bool, len(code)+2)
	mark := func(pc int) {
		if pc >= 0 && pc < len(t) {
			t[pc] = true
		}
	}
	for pc := 0; pc < len(code); pc++ {
		inst := code[pc]
		switch instOp(inst) {
		case lua.OP_JMP, lua.OP_FORPREP, lua.OP_FORLOOP:
			mark(pc + 1 + instSbx(inst))
		case lua.OP_EQ, lua.OP_LT, lua.OP_LE, lua.OP_TEST, lua.OP_TESTSET, lua.OP_TFORLOOP, lua.OP_LOADBOOL:
			mark(pc + 2)
		case lua.OP_MOVEN:
			pc += instC(inst)
		case lua.OP_SETLIST:
			if instC(inst) == 0 {
				pc++
			}
		case lua.OP_CLOSURE:
			pc += int(p.FunctionPrototypes[instBx(inst)].NumUpvalues)
		}
	}
	return t
}

// constGlobal is the value of global name if it cannot change while this
// state lives (every global of an EVAL state; KEYS and ARGV for as long as
// their tables are kept), or nil.
func (v *vm) constGlobal(name string) lua.LValue {
	switch name {
	case "KEYS":
		if v.keysArg.t == nil {
			return nil
		}
		return v.keysArg.t
	case "ARGV":
		if v.argvArg.t == nil {
			return nil
		}
		return v.argvArg.t
	}
	if val := v.globals.RawGetString(name); val != lua.LNil {
		return val
	}
	return nil
}

// constField is field key of t if t is the read-only view of a library
// (or of the globals) and the field exists, or nil.
func (v *vm) constField(t lua.LValue, key string) lua.LValue {
	view, ok := t.(*lua.LTable)
	if !ok {
		return nil
	}
	real, ok := v.proxies[view]
	if !ok || real.Metatable != lua.LNil && real != v.globals {
		return nil
	}
	if real == v.globals {
		return v.constGlobal(key)
	}
	if val := real.RawGetString(key); val != lua.LNil {
		return val
	}
	return nil
}
