package script

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The struct library (Roberto Ierusalimschy's struct 0.2 as patched in
// deps/lua/src/lua_struct.c), for x86-64: native little-endian, long and
// size_t of 8 bytes, int of 4, maximum alignment 8.
//
// Formats: '>' big endian, '<' little endian, '!n' alignment, 'x' a zero
// byte, 'b'/'B' char, 'h'/'H' short, 'l'/'L' long, 'T' size_t, 'i'/'I'
// int or 'in' of n bytes, 'f' float, 'd' double, 's' zero-terminated
// string, 'cn' n chars (c0: the whole string, or on unpack the previous
// number as length), ' ' ignored.

const (
	structMaxIntSize = 32
	structMaxAlign   = 8
)

func (v *vm) openStruct() *lua.LTable {
	L := v.L
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	t.RawSetString("size", L.NewFunction(structSize))
	return t
}

type structHeader struct {
	little bool
	align  int
}

// getnum reads an optional decimal count at fmt[*i:].
func structGetnum(L *lua.LState, fmt string, i *int, def int) int {
	if *i >= len(fmt) || !isDigit(fmt[*i]) {
		return def
	}
	a := 0
	for *i < len(fmt) && isDigit(fmt[*i]) {
		d := int(fmt[*i] - '0')
		if a > math.MaxInt32/10 || a*10 > math.MaxInt32-d {
			raise(L, "integral size overflow")
		}
		a = a*10 + d
		*i++
	}
	return a
}

func structOptsize(L *lua.LState, opt byte, fmt string, i *int) int {
	switch opt {
	case 'B', 'b':
		return 1
	case 'H', 'h':
		return 2
	case 'L', 'l', 'T', 'd':
		return 8
	case 'f':
		return 4
	case 'x':
		return 1
	case 'c':
		return structGetnum(L, fmt, i, 1)
	case 'i', 'I':
		sz := structGetnum(L, fmt, i, 4)
		if sz > structMaxIntSize {
			raise(L, "integral size "+strconv.Itoa(sz)+" is larger than limit of "+strconv.Itoa(structMaxIntSize))
		}
		return sz
	}
	return 0
}

func structToAlign(length int, h *structHeader, opt byte, size int) int {
	if size == 0 || opt == 'c' {
		return 0
	}
	if size > h.align {
		size = h.align
	}
	return (size - (length & (size - 1))) & (size - 1)
}

func structControl(L *lua.LState, opt byte, fmt string, i *int, h *structHeader) {
	switch opt {
	case ' ':
	case '>':
		h.little = false
	case '<':
		h.little = true
	case '!':
		a := structGetnum(L, fmt, i, structMaxAlign)
		if a <= 0 || a&(a-1) != 0 {
			raise(L, "alignment "+strconv.Itoa(a)+" is not a power of 2")
		}
		h.align = a
	default:
		argError(L, 1, "invalid format option '"+string(opt)+"'")
	}
}

// structFormat is luaL_checkstring of the format, cut at a NUL as the C
// code's loop stops there.
func structFormat(L *lua.LState) string {
	f := checkString(L, 1)
	if j := strings.IndexByte(f, 0); j >= 0 {
		f = f[:j]
	}
	return f
}

// cUint64 is the C conversion of a double to unsigned long on x86-64.
func cUint64(f float64) uint64 {
	switch {
	case f != f:
		return 1 << 63
	case f < 1<<63:
		return uint64(cInt64(f))
	case f < 1<<64:
		return uint64(f)
	}
	return 0
}

func structPack(L *lua.LState) int {
	fmt := structFormat(L)
	// b_pack pushes a nil to separate the arguments from its buffer, so a
	// missing first argument reads as nil.
	L.Push(lua.LNil)
	h := structHeader{little: true, align: 1}
	arg := 2
	total := 0
	var b []byte
	for i := 0; i < len(fmt); {
		opt := fmt[i]
		i++
		size := structOptsize(L, opt, fmt, &i)
		pad := structToAlign(total, &h, opt, size)
		total += pad
		for ; pad > 0; pad-- {
			b = append(b, 0)
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			n := checkNumber(L, arg)
			arg++
			var u uint64
			if n < 0 {
				u = uint64(cInt64(n))
			} else {
				u = cUint64(n)
			}
			var buf [structMaxIntSize]byte
			if h.little {
				for j := 0; j < size; j++ {
					buf[j] = byte(u)
					u >>= 8
				}
			} else {
				for j := size - 1; j >= 0; j-- {
					buf[j] = byte(u)
					u >>= 8
				}
			}
			b = append(b, buf[:size]...)
		case 'x':
			b = append(b, 0)
		case 'f':
			bits := math.Float32bits(float32(checkNumber(L, arg)))
			arg++
			if h.little {
				b = binary.LittleEndian.AppendUint32(b, bits)
			} else {
				b = binary.BigEndian.AppendUint32(b, bits)
			}
		case 'd':
			bits := math.Float64bits(checkNumber(L, arg))
			arg++
			if h.little {
				b = binary.LittleEndian.AppendUint64(b, bits)
			} else {
				b = binary.BigEndian.AppendUint64(b, bits)
			}
		case 'c', 's':
			s := checkString(L, arg)
			arg++
			if size == 0 {
				size = len(s)
			}
			if len(s) < size {
				argError(L, arg, "string too short")
			}
			b = append(b, s[:size]...)
			if opt == 's' {
				b = append(b, 0)
				size++
			}
		default:
			structControl(L, opt, fmt, &i, &h)
		}
		total += size
	}
	L.Push(lua.LString(b))
	return 1
}

func structGetinteger(data string, little, signed bool, size int) float64 {
	var l uint64
	if !little {
		for j := 0; j < size; j++ {
			l = l<<8 | uint64(data[j])
		}
	} else {
		for j := size - 1; j >= 0; j-- {
			l = l<<8 | uint64(data[j])
		}
	}
	if !signed {
		return float64(l)
	}
	// x86 masks shift counts to 6 bits, which the C code relies on for
	// sizes above 8.
	mask := ^uint64(0) << (uint(size*8-1) & 63)
	if l&mask != 0 {
		l |= mask
	}
	return float64(int64(l))
}

func structUnpack(L *lua.LState) int {
	fmt := structFormat(L)
	data := checkString(L, 2)
	ld := uint64(len(data))
	pos := uint64(optInteger(L, 3, 1))
	if pos == 0 {
		argError(L, 3, "offset must be 1 or greater")
	}
	pos--
	h := structHeader{little: true, align: 1}
	var out []lua.LValue
	for i := 0; i < len(fmt); {
		opt := fmt[i]
		i++
		size := uint64(structOptsize(L, opt, fmt, &i))
		pos += uint64(structToAlign(int(pos), &h, opt, int(size)))
		if !(size <= ld && pos <= ld-size) {
			argError(L, 2, "data string too short")
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			signed := opt >= 'a' && opt <= 'z'
			out = append(out, lua.LNumber(structGetinteger(data[pos:], h.little, signed, int(size))))
		case 'x':
		case 'f':
			var bits uint32
			if h.little {
				bits = binary.LittleEndian.Uint32([]byte(data[pos : pos+4]))
			} else {
				bits = binary.BigEndian.Uint32([]byte(data[pos : pos+4]))
			}
			out = append(out, lua.LNumber(math.Float32frombits(bits)))
		case 'd':
			var bits uint64
			if h.little {
				bits = binary.LittleEndian.Uint64([]byte(data[pos : pos+8]))
			} else {
				bits = binary.BigEndian.Uint64([]byte(data[pos : pos+8]))
			}
			out = append(out, lua.LNumber(math.Float64frombits(bits)))
		case 'c':
			if size == 0 {
				if len(out) == 0 {
					raise(L, "format 'c0' needs a previous size")
				}
				n, ok := toNumber(out[len(out)-1])
				if !ok {
					raise(L, "format 'c0' needs a previous size")
				}
				size = uint64(n)
				out = out[:len(out)-1]
				if !(size <= ld && pos <= ld-size) {
					argError(L, 2, "data string too short")
				}
			}
			out = append(out, lua.LString(data[pos:pos+size]))
		case 's':
			e := strings.IndexByte(data[pos:], 0)
			if e < 0 {
				raise(L, "unfinished string in data")
			}
			out = append(out, lua.LString(data[pos:pos+uint64(e)]))
			size = uint64(e) + 1
		default:
			structControl(L, opt, fmt, &i, &h)
		}
		pos += size
	}
	for _, x := range out {
		L.Push(x)
	}
	L.Push(lua.LNumber(pos + 1))
	return len(out) + 1
}

func structSize(L *lua.LState) int {
	fmt := structFormat(L)
	h := structHeader{little: true, align: 1}
	pos := 0
	for i := 0; i < len(fmt); {
		opt := fmt[i]
		i++
		size := structOptsize(L, opt, fmt, &i)
		pos += structToAlign(pos, &h, opt, size)
		if opt == 's' {
			argError(L, 1, "option 's' has no fixed size")
		} else if opt == 'c' && size == 0 {
			argError(L, 1, "option 'c0' has no fixed size")
		}
		if !(opt >= 'a' && opt <= 'z' || opt >= 'A' && opt <= 'Z' || isDigit(opt)) {
			structControl(L, opt, fmt, &i, &h)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos))
	return 1
}
