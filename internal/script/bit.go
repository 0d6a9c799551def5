package script

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// The bit library (LuaBitOp 1.0.2, deps/lua/src/lua_bit.c): 32-bit
// operations on numbers, results as signed 32-bit numbers.

func (v *vm) openBit() *lua.LTable {
	L := v.L
	t := L.NewTable()
	for name, fn := range map[string]lua.LGFunction{
		"tobit":   bitTobit,
		"bnot":    bitBnot,
		"band":    bitBand,
		"bor":     bitBor,
		"bxor":    bitBxor,
		"lshift":  bitLshift,
		"rshift":  bitRshift,
		"arshift": bitArshift,
		"rol":     bitRol,
		"ror":     bitRor,
		"bswap":   bitBswap,
		"tohex":   bitTohex,
	} {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}

// barg converts argument n to 32 bits the way LuaBitOp does: adding
// 2^52+2^51 and taking the low word of the double, which rounds to the
// nearest integer and wraps modulo 2^32. Lua 5.1's lua_tonumber turns a
// non-number into 0, which is an error unless the argument really was 0.
func barg(L *lua.LState, n int) uint32 {
	f, ok := toNumber(L.Get(n))
	b := uint32(math.Float64bits(f + 6755399441055744.0))
	if b == 0 && !ok {
		typeError(L, n, "number")
	}
	return b
}

func bret(L *lua.LState, b uint32) int {
	L.Push(lua.LNumber(int32(b)))
	return 1
}

func bitTobit(L *lua.LState) int { return bret(L, barg(L, 1)) }
func bitBnot(L *lua.LState) int  { return bret(L, ^barg(L, 1)) }

func bitBand(L *lua.LState) int {
	b := barg(L, 1)
	for i := L.GetTop(); i > 1; i-- {
		b &= barg(L, i)
	}
	return bret(L, b)
}

func bitBor(L *lua.LState) int {
	b := barg(L, 1)
	for i := L.GetTop(); i > 1; i-- {
		b |= barg(L, i)
	}
	return bret(L, b)
}

func bitBxor(L *lua.LState) int {
	b := barg(L, 1)
	for i := L.GetTop(); i > 1; i-- {
		b ^= barg(L, i)
	}
	return bret(L, b)
}

func shiftArgs(L *lua.LState) (uint32, uint32) {
	b := barg(L, 1)
	return b, barg(L, 2) & 31
}

func bitLshift(L *lua.LState) int { b, n := shiftArgs(L); return bret(L, b<<n) }
func bitRshift(L *lua.LState) int { b, n := shiftArgs(L); return bret(L, b>>n) }

func bitArshift(L *lua.LState) int {
	b, n := shiftArgs(L)
	return bret(L, uint32(int32(b)>>n))
}

func bitRol(L *lua.LState) int {
	b, n := shiftArgs(L)
	return bret(L, b<<n|b>>((32-n)&31))
}

func bitRor(L *lua.LState) int {
	b, n := shiftArgs(L)
	return bret(L, b<<((32-n)&31)|b>>n)
}

func bitBswap(L *lua.LState) int {
	b := barg(L, 1)
	return bret(L, b>>24|b>>8&0xff00|(b&0xff00)<<8|b<<24)
}

func bitTohex(L *lua.LState) int {
	b := barg(L, 1)
	n := int32(8)
	if L.GetTop() >= 2 {
		n = int32(barg(L, 2))
	}
	digits := "0123456789abcdef"
	if n < 0 {
		n = -n
		digits = "0123456789ABCDEF"
	}
	if n > 8 {
		n = 8
	}
	if n < 0 { // -INT_MIN; Redis would crash here
		n = 0
	}
	var buf [8]byte
	for i := n - 1; i >= 0; i-- {
		buf[i] = digits[b&15]
		b >>= 4
	}
	L.Push(lua.LString(buf[:n]))
	return 1
}
