package script

import (
	"encoding/binary"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// The cmsgpack library (lua-cmsgpack 0.4.0, deps/lua/src/lua_cmsgpack.c).

// cmsgpackMaxNesting is LUACMSGPACK_MAX_NESTING: deeper tables are packed
// as nil.
const cmsgpackMaxNesting = 16

func (v *vm) openCmsgpack() *lua.LTable {
	L := v.L
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(v.mpPack))
	t.RawSetString("unpack", L.NewFunction(v.mpUnpack))
	t.RawSetString("unpack_one", L.NewFunction(v.mpUnpackOne))
	t.RawSetString("unpack_limit", L.NewFunction(v.mpUnpackLimit))
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	return t
}

// ---- packing ----

func (v *vm) mpPack(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		argError(L, 0, "MessagePack pack needs input.")
	}
	var buf []byte
	for i := 1; i <= n; i++ {
		buf = v.mpEncode(L, buf, L.Get(i), 0)
	}
	L.Push(lua.LString(buf))
	return 1
}

func mpEncodeBytes(buf []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		buf = append(buf, 0xa0|byte(n))
	case n <= 0xff:
		buf = append(buf, 0xd9, byte(n))
	case n <= 0xffff:
		buf = append(buf, 0xda)
		buf = binary.BigEndian.AppendUint16(buf, uint16(n))
	default:
		buf = append(buf, 0xdb)
		buf = binary.BigEndian.AppendUint32(buf, uint32(n))
	}
	return append(buf, s...)
}

func mpEncodeDouble(buf []byte, d float64) []byte {
	f := float32(d)
	if float64(f) == d {
		buf = append(buf, 0xca)
		return binary.BigEndian.AppendUint32(buf, math.Float32bits(f))
	}
	buf = append(buf, 0xcb)
	return binary.BigEndian.AppendUint64(buf, math.Float64bits(d))
}

func mpEncodeInt(buf []byte, n int64) []byte {
	if n >= 0 {
		switch {
		case n <= 127:
			return append(buf, byte(n))
		case n <= 0xff:
			return append(buf, 0xcc, byte(n))
		case n <= 0xffff:
			return binary.BigEndian.AppendUint16(append(buf, 0xcd), uint16(n))
		case n <= 0xffffffff:
			return binary.BigEndian.AppendUint32(append(buf, 0xce), uint32(n))
		}
		return binary.BigEndian.AppendUint64(append(buf, 0xcf), uint64(n))
	}
	switch {
	case n >= -32:
		return append(buf, byte(int8(n)))
	case n >= -128:
		return append(buf, 0xd0, byte(n))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(buf, 0xd1), uint16(n))
	case n >= -2147483648:
		return binary.BigEndian.AppendUint32(append(buf, 0xd2), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(buf, 0xd3), uint64(n))
}

func mpEncodeHeader(buf []byte, n int, fix, h16, h32 byte) []byte {
	switch {
	case n <= 15:
		return append(buf, fix|byte(n))
	case n <= 65535:
		return binary.BigEndian.AppendUint16(append(buf, h16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(buf, h32), uint32(n))
}

// mpEncode is mp_encode_lua_type.
func (v *vm) mpEncode(L *lua.LState, buf []byte, x lua.LValue, level int) []byte {
	switch t := x.(type) {
	case lua.LString:
		return mpEncodeBytes(buf, string(t))
	case lua.LBool:
		if t {
			return append(buf, 0xc3)
		}
		return append(buf, 0xc2)
	case lua.LNumber:
		f := float64(t)
		// IS_INT64_EQUIVALENT: finite and (int64_t)n == n.
		if !math.IsInf(f, 0) && f >= -(1<<63) && f < 1<<63 && f == math.Trunc(f) {
			return mpEncodeInt(buf, int64(f))
		}
		return mpEncodeDouble(buf, f)
	case *lua.LTable:
		if level == cmsgpackMaxNesting {
			return append(buf, 0xc0)
		}
		real, _ := v.real(t)
		if mpIsArray(real) {
			n := L.ObjLen(real)
			buf = mpEncodeHeader(buf, n, 0x90, 0xdc, 0xdd)
			for j := 1; j <= n; j++ {
				buf = v.mpEncode(L, buf, L.GetTable(real, lua.LNumber(j)), level+1)
			}
			return buf
		}
		n := 0
		for k, _ := real.Next(lua.LNil); k != lua.LNil; k, _ = real.Next(k) {
			n++
		}
		buf = mpEncodeHeader(buf, n, 0x80, 0xde, 0xdf)
		for k, e := real.Next(lua.LNil); k != lua.LNil; k, e = real.Next(k) {
			buf = v.mpEncode(L, buf, k, level+1)
			buf = v.mpEncode(L, buf, e, level+1)
		}
		return buf
	}
	return append(buf, 0xc0)
}

// mpIsArray is table_is_an_array: all keys positive integers fitting an
// int, and as many as the largest.
func mpIsArray(t *lua.LTable) bool {
	count, max := 0, 0.0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		f := float64(n)
		if !ok || f <= 0 || f != math.Trunc(f) || f > math.MaxInt32 {
			return false
		}
		if f > max {
			max = f
		}
		count++
	}
	return max == float64(count)
}

// ---- unpacking ----

type mpCursor struct {
	s   string
	p   int
	err int // 0, mpErrEOF or mpErrBadFmt
}

const (
	mpErrEOF = 1 + iota
	mpErrBadFmt
)

func (c *mpCursor) left() int { return len(c.s) - c.p }

func (c *mpCursor) need(n int) bool {
	if c.left() < n {
		c.err = mpErrEOF
		return false
	}
	return true
}

func (c *mpCursor) u16(at int) int { return int(binary.BigEndian.Uint16([]byte(c.s[at : at+2]))) }
func (c *mpCursor) u32(at int) uint32 {
	return binary.BigEndian.Uint32([]byte(c.s[at : at+4]))
}
func (c *mpCursor) u64(at int) uint64 {
	return binary.BigEndian.Uint64([]byte(c.s[at : at+8]))
}

// mpDecode is mp_decode_to_lua_type; on error it returns nil with c.err
// set.
func (v *vm) mpDecode(L *lua.LState, c *mpCursor) lua.LValue {
	if !c.need(1) {
		return nil
	}
	b := c.s[c.p]
	switch b {
	case 0xcc:
		if !c.need(2) {
			return nil
		}
		c.p += 2
		return lua.LNumber(c.s[c.p-1])
	case 0xd0:
		if !c.need(2) {
			return nil
		}
		c.p += 2
		return lua.LNumber(int8(c.s[c.p-1]))
	case 0xcd:
		if !c.need(3) {
			return nil
		}
		n := c.u16(c.p + 1)
		c.p += 3
		return lua.LNumber(n)
	case 0xd1:
		if !c.need(3) {
			return nil
		}
		n := int16(c.u16(c.p + 1))
		c.p += 3
		return lua.LNumber(n)
	case 0xce:
		if !c.need(5) {
			return nil
		}
		n := c.u32(c.p + 1)
		c.p += 5
		return lua.LNumber(n)
	case 0xd2:
		if !c.need(5) {
			return nil
		}
		n := int32(c.u32(c.p + 1))
		c.p += 5
		return lua.LNumber(n)
	case 0xcf:
		if !c.need(9) {
			return nil
		}
		// lua_pushunsigned is lua_pushinteger on 64-bit: the value goes
		// through a signed 64-bit integer.
		n := int64(c.u64(c.p + 1))
		c.p += 9
		return lua.LNumber(n)
	case 0xd3:
		if !c.need(9) {
			return nil
		}
		n := int64(c.u64(c.p + 1))
		c.p += 9
		return lua.LNumber(n)
	case 0xc0:
		c.p++
		return lua.LNil
	case 0xc3:
		c.p++
		return lua.LTrue
	case 0xc2:
		c.p++
		return lua.LFalse
	case 0xca:
		if !c.need(5) {
			return nil
		}
		f := math.Float32frombits(c.u32(c.p + 1))
		c.p += 5
		return lua.LNumber(f)
	case 0xcb:
		if !c.need(9) {
			return nil
		}
		f := math.Float64frombits(c.u64(c.p + 1))
		c.p += 9
		return lua.LNumber(f)
	case 0xd9:
		if !c.need(2) {
			return nil
		}
		return c.str(2, int(c.s[c.p+1]))
	case 0xda:
		if !c.need(3) {
			return nil
		}
		return c.str(3, c.u16(c.p+1))
	case 0xdb:
		if !c.need(5) {
			return nil
		}
		n := int(c.u32(c.p + 1))
		c.p += 5
		return c.str(0, n)
	case 0xdc:
		if !c.need(3) {
			return nil
		}
		n := c.u16(c.p + 1)
		c.p += 3
		return v.mpArray(L, c, n)
	case 0xdd:
		if !c.need(5) {
			return nil
		}
		n := int(c.u32(c.p + 1))
		c.p += 5
		return v.mpArray(L, c, n)
	case 0xde:
		if !c.need(3) {
			return nil
		}
		n := c.u16(c.p + 1)
		c.p += 3
		return v.mpMap(L, c, n)
	case 0xdf:
		if !c.need(5) {
			return nil
		}
		n := int(c.u32(c.p + 1))
		c.p += 5
		return v.mpMap(L, c, n)
	}
	switch {
	case b&0x80 == 0:
		c.p++
		return lua.LNumber(b)
	case b&0xe0 == 0xe0:
		c.p++
		return lua.LNumber(int8(b))
	case b&0xe0 == 0xa0:
		return c.str(1, int(b&0x1f))
	case b&0xf0 == 0x90:
		c.p++
		return v.mpArray(L, c, int(b&0xf))
	case b&0xf0 == 0x80:
		c.p++
		return v.mpMap(L, c, int(b&0xf))
	}
	c.err = mpErrBadFmt
	return nil
}

// str reads a string of n bytes after a header of hdr bytes.
func (c *mpCursor) str(hdr, n int) lua.LValue {
	if !c.need(hdr + n) {
		return nil
	}
	s := c.s[c.p+hdr : c.p+hdr+n]
	c.p += hdr + n
	return lua.LString(s)
}

func (v *vm) mpArray(L *lua.LState, c *mpCursor, n int) lua.LValue {
	t := L.NewTable()
	for i := 1; i <= n; i++ {
		e := v.mpDecode(L, c)
		if c.err != 0 {
			return nil
		}
		if e != lua.LNil {
			t.RawSetInt(i, e)
		}
	}
	return t
}

func (v *vm) mpMap(L *lua.LState, c *mpCursor, n int) lua.LValue {
	t := L.NewTable()
	for ; n > 0; n-- {
		k := v.mpDecode(L, c)
		if c.err != 0 {
			return nil
		}
		e := v.mpDecode(L, c)
		if c.err != 0 {
			return nil
		}
		// lua_settable: a nil key is an error, a nil value a no-op.
		if k == lua.LNil {
			raiseRuntime(L, "table index is nil")
		}
		if f, ok := k.(lua.LNumber); ok && f != f {
			raiseRuntime(L, "table index is NaN")
		}
		L.SetTable(t, k, e)
	}
	return t
}

// mpUnpackFull is mp_unpack_full: decode up to limit objects from offset
// (everything when both are 0); with a limit the next offset (-1 at the
// end) comes first in the results.
func (v *vm) mpUnpackFull(L *lua.LState, limit, offset int64) int {
	s := checkString(L, 1)
	decodeAll := limit == 0 && offset == 0
	if offset < 0 || limit < 0 {
		raise(L, "Invalid request to unpack with offset of "+strconv.Itoa(int(int32(offset)))+" and limit of "+strconv.Itoa(int(int32(len(s))))+".")
	}
	if offset > int64(len(s)) {
		raise(L, "Start offset "+strconv.Itoa(int(int32(offset)))+" greater than input length "+strconv.Itoa(int(int32(len(s))))+".")
	}
	if decodeAll {
		limit = math.MaxInt32
	}
	c := mpCursor{s: s, p: int(offset)}
	var out []lua.LValue
	base := L.GetTop()
	for cnt := int64(0); c.left() > 0 && cnt < limit; cnt++ {
		// Redis keeps every decoded object on the Lua stack, which
		// luaL_checkstack bounds at LUAI_MAXCSTACK slots.
		if base+len(out)+1 > luaStackLimit {
			raise(L, "stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)")
		}
		x := v.mpDecode(L, &c)
		switch c.err {
		case mpErrEOF:
			raise(L, "Missing bytes in input.")
		case mpErrBadFmt:
			raise(L, "Bad data format in input.")
		}
		out = append(out, x)
	}
	if !decodeAll {
		next := int64(len(s) - c.left())
		if c.left() == 0 {
			next = -1
		}
		L.Push(lua.LNumber(next))
	}
	for _, x := range out {
		L.Push(x)
	}
	if decodeAll {
		return len(out)
	}
	return len(out) + 1
}

func (v *vm) mpUnpack(L *lua.LState) int { return v.mpUnpackFull(L, 0, 0) }

func (v *vm) mpUnpackOne(L *lua.LState) int {
	offset := optInteger(L, 2, 0)
	L.SetTop(1)
	return v.mpUnpackFull(L, 1, offset)
}

func (v *vm) mpUnpackLimit(L *lua.LState) int {
	limit := checkInteger(L, 2)
	offset := optInteger(L, 3, 0)
	L.SetTop(1)
	return v.mpUnpackFull(L, limit, offset)
}
