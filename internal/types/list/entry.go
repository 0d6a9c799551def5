package list

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
)

// Header bytes of the entry encoding; see the package documentation.
const (
	encStr6     = 0x80 // 10LLLLLL
	encInt13    = 0xc0 // 110vvvvv + 1 byte
	encStr12    = 0xe0 // 1110LLLL + 1 byte
	encStr32    = 0xf0
	encInt16    = 0xf1
	encInt24    = 0xf2
	encInt32    = 0xf3
	encInt64    = 0xf4
	maxStrLen32 = math.MaxUint32
)

// Entry is one list element as handed out by Index, Range and Iterator.
// Either IsInt is set and Int holds the value (the element is the decimal
// form of Int), or Str holds the bytes. Str aliases the list's memory and is
// valid until the next modification of the list; it is capacity-limited, so
// appending to it never writes into the list.
type Entry struct {
	Str   []byte
	Int   int64
	IsInt bool
}

// Append appends the element's bytes (the decimal form for integers) to dst.
func (e Entry) Append(dst []byte) []byte {
	if e.IsInt {
		return strconv.AppendInt(dst, e.Int, 10)
	}
	return append(dst, e.Str...)
}

// Equal reports whether the element equals v byte for byte.
func (e Entry) Equal(v []byte) bool {
	x, isInt := parseInt(v)
	return e.equal(v, x, isInt)
}

// equal compares with v whose parseInt result is (x, isInt). Integer-looking
// strings are always stored as integers, so a stored string never equals a
// canonical integer and vice versa.
func (e Entry) equal(v []byte, x int64, isInt bool) bool {
	if e.IsInt {
		return isInt && e.Int == x
	}
	return !isInt && bytes.Equal(e.Str, v)
}

// parseInt reports whether v is the canonical decimal form of an int64 and
// returns its value. Canonical means what Redis's lpStringToInt64 accepts:
// "0", or an optional '-' followed by a non-zero digit and more digits, with
// no overflow, at most 20 bytes.
func parseInt(v []byte) (int64, bool) {
	n := len(v)
	if n == 0 || n > 20 {
		return 0, false
	}
	if n == 1 && v[0] == '0' {
		return 0, true
	}
	i := 0
	neg := v[0] == '-'
	if neg {
		i = 1
		if n == 1 {
			return 0, false
		}
	}
	if v[i] < '1' || v[i] > '9' {
		return 0, false
	}
	var u uint64
	for ; i < n; i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if u > (math.MaxUint64-d)/10 {
			return 0, false
		}
		u = u*10 + d
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return int64(^u + 1), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// intBodyLen is the header+payload length of integer x.
func intBodyLen(x int64) int {
	switch {
	case x >= 0 && x <= 127:
		return 1
	case x >= -4096 && x <= 4095:
		return 2
	case x >= math.MinInt16 && x <= math.MaxInt16:
		return 3
	case x >= -1<<23 && x < 1<<23:
		return 4
	case x >= math.MinInt32 && x <= math.MaxInt32:
		return 5
	default:
		return 9
	}
}

// strBodyLen is the header+payload length of a string of n bytes.
func strBodyLen(n int) int {
	switch {
	case n < 64:
		return 1 + n
	case n < 4096:
		return 2 + n
	default:
		if n > maxStrLen32 {
			panic("BUG: list: element longer than 4 GiB")
		}
		return 5 + n
	}
}

// backlenSize is the number of bytes backlen takes for body length l.
func backlenSize(l int) int {
	switch {
	case l < 1<<7:
		return 1
	case l < 1<<14:
		return 2
	case l < 1<<21:
		return 3
	case l < 1<<28:
		return 4
	default:
		return 5
	}
}

// entrySize is the total encoded size of v, given its parseInt result.
func entrySize(v []byte, x int64, isInt bool) int {
	var l int
	if isInt {
		l = intBodyLen(x)
	} else {
		l = strBodyLen(len(v))
	}
	return l + backlenSize(l)
}

// putEntry writes the encoding of v (or of x when isInt) into b, which must be
// exactly entrySize bytes long.
func putEntry(b []byte, v []byte, x int64, isInt bool) {
	var l int
	if isInt {
		l = putInt(b, x)
	} else {
		l = putStr(b, v)
	}
	// backlen: last byte has the lowest 7 bits; all but the first have 0x80.
	k := backlenSize(l)
	if l+k != len(b) {
		panic("BUG: list: entry size mismatch")
	}
	for i := k - 1; i >= 0; i-- {
		c := byte(l & 0x7f)
		l >>= 7
		if i > 0 {
			c |= 0x80
		}
		b[len(b)-k+i] = c
	}
}

func putInt(b []byte, x int64) int {
	l := intBodyLen(x)
	switch l {
	case 1:
		b[0] = byte(x)
	case 2:
		u := uint16(x) & 0x1fff
		b[0] = encInt13 | byte(u>>8)
		b[1] = byte(u)
	case 3:
		b[0] = encInt16
		binary.LittleEndian.PutUint16(b[1:], uint16(x))
	case 4:
		b[0] = encInt24
		b[1] = byte(x)
		b[2] = byte(x >> 8)
		b[3] = byte(x >> 16)
	case 5:
		b[0] = encInt32
		binary.LittleEndian.PutUint32(b[1:], uint32(x))
	default:
		b[0] = encInt64
		binary.LittleEndian.PutUint64(b[1:], uint64(x))
	}
	return l
}

func putStr(b []byte, v []byte) int {
	n := len(v)
	var h int
	switch {
	case n < 64:
		b[0] = encStr6 | byte(n)
		h = 1
	case n < 4096:
		b[0] = encStr12 | byte(n>>8)
		b[1] = byte(n)
		h = 2
	default:
		b[0] = encStr32
		binary.LittleEndian.PutUint32(b[1:], uint32(n))
		h = 5
	}
	copy(b[h:], v)
	return h + n
}

// bodyLenAt returns the header+payload length of the entry at off.
func bodyLenAt(b []byte, off int) int {
	h := b[off]
	switch {
	case h < encStr6:
		return 1
	case h < encInt13:
		return 1 + int(h&0x3f)
	case h < encStr12:
		return 2
	case h < encStr32:
		return 2 + (int(h&0x0f)<<8 | int(b[off+1]))
	}
	switch h {
	case encStr32:
		return 5 + int(binary.LittleEndian.Uint32(b[off+1:]))
	case encInt16:
		return 3
	case encInt24:
		return 4
	case encInt32:
		return 5
	case encInt64:
		return 9
	}
	panic("BUG: list: corrupt entry header")
}

// sizeAt returns the total size of the entry starting at off.
func sizeAt(b []byte, off int) int {
	// Fast path: small integers and short strings have a 1-byte backlen.
	if h := b[off]; h < encInt13 {
		if h < encStr6 {
			return 2
		}
		return 2 + int(h&0x3f)
	}
	l := bodyLenAt(b, off)
	return l + backlenSize(l)
}

// decode returns the entry starting at off and its total size.
func decode(b []byte, off int) (Entry, int) {
	h := b[off]
	var e Entry
	var l int
	switch {
	case h < encStr6:
		e.Int, e.IsInt, l = int64(h), true, 1
	case h < encInt13:
		n := int(h & 0x3f)
		e.Str = b[off+1 : off+1+n : off+1+n]
		l = 1 + n
	case h < encStr12:
		v := int64(h&0x1f)<<8 | int64(b[off+1])
		e.Int, e.IsInt, l = v<<51>>51, true, 2
	case h < encStr32:
		n := int(h&0x0f)<<8 | int(b[off+1])
		e.Str = b[off+2 : off+2+n : off+2+n]
		l = 2 + n
	case h == encStr32:
		n := int(binary.LittleEndian.Uint32(b[off+1:]))
		e.Str = b[off+5 : off+5+n : off+5+n]
		l = 5 + n
	case h == encInt16:
		e.Int, e.IsInt, l = int64(int16(binary.LittleEndian.Uint16(b[off+1:]))), true, 3
	case h == encInt24:
		u := uint32(b[off+1]) | uint32(b[off+2])<<8 | uint32(b[off+3])<<16
		e.Int, e.IsInt, l = int64(int32(u<<8)>>8), true, 4
	case h == encInt32:
		e.Int, e.IsInt, l = int64(int32(binary.LittleEndian.Uint32(b[off+1:]))), true, 5
	case h == encInt64:
		e.Int, e.IsInt, l = int64(binary.LittleEndian.Uint64(b[off+1:])), true, 9
	default:
		panic("BUG: list: corrupt entry header")
	}
	return e, l + backlenSize(l)
}

// prevStart returns the start of the entry that ends at end, reading its
// backlen backwards.
func prevStart(b []byte, end int) int {
	p := end - 1
	c := b[p]
	l := int(c & 0x7f)
	for shift := 7; c&0x80 != 0; shift += 7 {
		p--
		c = b[p]
		l |= int(c&0x7f) << shift
	}
	return p - l
}
