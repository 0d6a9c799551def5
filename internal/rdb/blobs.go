package rdb

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

var (
	errListpack = errors.New("malformed listpack")
	errZiplist  = errors.New("malformed ziplist")
	errIntset   = errors.New("malformed intset")
	errZipmap   = errors.New("malformed zipmap")
)

// item is one element of a listpack or ziplist: an integer or a string.
type item struct {
	s     []byte
	v     int64
	isInt bool
}

// appendTo appends the element's bytes (decimal for integers) to dst.
func (it item) appendTo(dst []byte) []byte {
	if it.isInt {
		return strconv.AppendInt(dst, it.v, 10)
	}
	return append(dst, it.s...)
}

// ---- listpack (src/listpack.c) ----
//
//	<total bytes u32 LE> <count u16 LE, 65535 = unknown> <entry>... 0xFF
//	entry = <encoding+data> <backlen: size of encoding+data, 1-5 bytes>

const lpHeaderSize = 6

// lpNew returns an empty listpack header with room for entries.
func lpNew(dst []byte) []byte {
	return append(dst, 0, 0, 0, 0, 0, 0)
}

// lpAppendString appends v, as an integer entry when it is a canonical
// integer (as lpAppend does).
func lpAppendString(lp, v []byte) []byte {
	if x, ok := resp.ParseInt(v); ok {
		return lpAppendInt(lp, x)
	}
	start := len(lp)
	switch n := len(v); {
	case n < 64:
		lp = append(lp, 0x80|byte(n))
	case n < 4096:
		lp = append(lp, 0xE0|byte(n>>8), byte(n))
	default:
		lp = append(lp, 0xF0, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	}
	lp = append(lp, v...)
	return lpAppendBacklen(lp, len(lp)-start)
}

func lpAppendInt(lp []byte, x int64) []byte {
	start := len(lp)
	switch {
	case x >= 0 && x <= 127:
		lp = append(lp, byte(x))
	case x >= -4096 && x <= 4095:
		u := uint64(x) & 0x1FFF
		lp = append(lp, 0xC0|byte(u>>8), byte(u))
	case x >= math.MinInt16 && x <= math.MaxInt16:
		lp = append(lp, 0xF1, byte(x), byte(x>>8))
	case x >= -(1<<23) && x < 1<<23:
		lp = append(lp, 0xF2, byte(x), byte(x>>8), byte(x>>16))
	case x >= math.MinInt32 && x <= math.MaxInt32:
		lp = append(lp, 0xF3, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
	default:
		lp = append(lp, 0xF4)
		lp = binary.LittleEndian.AppendUint64(lp, uint64(x))
	}
	return lpAppendBacklen(lp, len(lp)-start)
}

// lpAppendBacklen appends the entry length l so that it reads backwards:
// the last byte holds the low 7 bits, every byte but the first in memory
// has the high bit set.
func lpAppendBacklen(lp []byte, l int) []byte {
	n := lpBacklenSize(l)
	for i := n - 1; i >= 0; i-- {
		b := byte(l>>(7*i)) & 127
		if i != n-1 {
			b |= 128
		}
		lp = append(lp, b)
	}
	return lp
}

func lpBacklenSize(l int) int {
	switch {
	case l < 128:
		return 1
	case l < 16384:
		return 2
	case l < 2097152:
		return 3
	case l < 268435456:
		return 4
	}
	return 5
}

// lpFinish writes the terminator and the header of the listpack that
// starts at lp[start:] and holds count entries.
func lpFinish(lp []byte, start, count int) []byte {
	lp = append(lp, 0xFF)
	binary.LittleEndian.PutUint32(lp[start:], uint32(len(lp)-start))
	if count > 65535 {
		count = 65535
	}
	binary.LittleEndian.PutUint16(lp[start+4:], uint16(count))
	return lp
}

// lpEach calls fn for every entry of lp after validating the whole
// listpack's structure (lpValidateIntegrity with deep checks).
func lpEach(lp []byte, fn func(it item) error) (int, error) {
	if len(lp) < lpHeaderSize+1 || int(binary.LittleEndian.Uint32(lp)) != len(lp) || lp[len(lp)-1] != 0xFF {
		return 0, errListpack
	}
	declared := int(binary.LittleEndian.Uint16(lp[4:]))
	end := len(lp) - 1
	n := 0
	for p := lpHeaderSize; p < end; {
		var it item
		b := lp[p]
		var sz int
		need := func(k int) bool { return p+k <= end }
		switch {
		case b&0x80 == 0:
			it, sz = item{v: int64(b), isInt: true}, 1
		case b&0xC0 == 0x80:
			l := int(b & 0x3F)
			if !need(1 + l) {
				return 0, errListpack
			}
			it, sz = item{s: lp[p+1 : p+1+l]}, 1+l
		case b&0xE0 == 0xC0:
			if !need(2) {
				return 0, errListpack
			}
			u := int64(b&0x1F)<<8 | int64(lp[p+1])
			if u >= 1<<12 {
				u -= 1 << 13
			}
			it, sz = item{v: u, isInt: true}, 2
		case b&0xF0 == 0xE0:
			if !need(2) {
				return 0, errListpack
			}
			l := int(b&0x0F)<<8 | int(lp[p+1])
			if !need(2 + l) {
				return 0, errListpack
			}
			it, sz = item{s: lp[p+2 : p+2+l]}, 2+l
		case b == 0xF0:
			if !need(5) {
				return 0, errListpack
			}
			l := uint64(binary.LittleEndian.Uint32(lp[p+1:]))
			if uint64(end-p-5) < l {
				return 0, errListpack
			}
			it, sz = item{s: lp[p+5 : p+5+int(l)]}, 5+int(l)
		case b >= 0xF1 && b <= 0xF4:
			w := [...]int{2, 3, 4, 8}[b-0xF1]
			if !need(1 + w) {
				return 0, errListpack
			}
			var u uint64
			for k := w - 1; k >= 0; k-- {
				u = u<<8 | uint64(lp[p+1+k])
			}
			shift := uint(64 - 8*w)
			it, sz = item{v: int64(u<<shift) >> shift, isInt: true}, 1+w
		default:
			return 0, errListpack
		}
		bl := lpBacklenSize(sz)
		if !need(sz + bl) {
			return 0, errListpack
		}
		// Check the backlen reads back as sz.
		v := 0
		for k := 0; k < bl; k++ {
			c := lp[p+sz+k]
			if (k == 0) == (c&128 != 0) {
				return 0, errListpack
			}
			v = v<<7 | int(c&127)
		}
		if v != sz {
			return 0, errListpack
		}
		if err := fn(it); err != nil {
			return 0, err
		}
		n++
		p += sz + bl
	}
	if declared != 65535 && declared != n {
		return 0, errListpack
	}
	return n, nil
}

// ---- ziplist (src/ziplist.c) ----
//
//	<zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE> <entry>... 0xFF
//	entry = <prevlen: 1 byte, or 0xFE + u32 LE> <encoding> <data>

const zlHeaderSize = 10

func zlEach(zl []byte, fn func(it item) error) (int, error) {
	if len(zl) < zlHeaderSize+1 || int(binary.LittleEndian.Uint32(zl)) != len(zl) || zl[len(zl)-1] != 0xFF {
		return 0, errZiplist
	}
	tail := int(binary.LittleEndian.Uint32(zl[4:]))
	declared := int(binary.LittleEndian.Uint16(zl[8:]))
	end := len(zl) - 1
	n, prev, last := 0, 0, zlHeaderSize
	for p := zlHeaderSize; p < end; {
		start := p
		var plen int
		if zl[p] < 254 {
			plen = int(zl[p])
			p++
		} else if zl[p] == 254 {
			if p+5 > end {
				return 0, errZiplist
			}
			plen = int(binary.LittleEndian.Uint32(zl[p+1:]))
			p += 5
		} else {
			return 0, errZiplist
		}
		if plen != prev {
			return 0, errZiplist
		}
		if p >= end {
			return 0, errZiplist
		}
		b := zl[p]
		var it item
		switch b >> 6 {
		case 0, 1, 2:
			var l, h int
			switch b >> 6 {
			case 0:
				l, h = int(b&0x3F), 1
			case 1:
				if p+2 > end {
					return 0, errZiplist
				}
				l, h = int(b&0x3F)<<8|int(zl[p+1]), 2
			default:
				if b != 0x80 || p+5 > end {
					return 0, errZiplist
				}
				u := binary.BigEndian.Uint32(zl[p+1:])
				if uint64(u) > uint64(end-p-5) {
					return 0, errZiplist
				}
				l, h = int(u), 5
			}
			if p+h+l > end {
				return 0, errZiplist
			}
			it = item{s: zl[p+h : p+h+l]}
			p += h + l
		default:
			var w int
			switch b {
			case 0xC0:
				w = 2
			case 0xD0:
				w = 4
			case 0xE0:
				w = 8
			case 0xF0:
				w = 3
			case 0xFE:
				w = 1
			default:
				if b >= 0xF1 && b <= 0xFD {
					it = item{v: int64(b&0x0F) - 1, isInt: true}
					p++
					w = -1
				} else {
					return 0, errZiplist
				}
			}
			if w > 0 {
				if p+1+w > end {
					return 0, errZiplist
				}
				var u uint64
				for k := w - 1; k >= 0; k-- {
					u = u<<8 | uint64(zl[p+1+k])
				}
				shift := uint(64 - 8*w)
				it = item{v: int64(u<<shift) >> shift, isInt: true}
				p += 1 + w
			}
		}
		if err := fn(it); err != nil {
			return 0, err
		}
		n++
		prev, last = p-start, start
	}
	if (n > 0 && tail != last) || (n == 0 && tail != zlHeaderSize) {
		return 0, errZiplist
	}
	if declared != 65535 && declared != n {
		return 0, errZiplist
	}
	return n, nil
}

// ---- intset (src/intset.c) ----
//
//	<encoding u32 LE: 2, 4 or 8> <length u32 LE> <values, sorted, LE>

func intsetEach(is []byte, fn func(v int64) error) (int, error) {
	if len(is) < 8 {
		return 0, errIntset
	}
	w := int(binary.LittleEndian.Uint32(is))
	if w != 2 && w != 4 && w != 8 {
		return 0, errIntset
	}
	n := uint64(binary.LittleEndian.Uint32(is[4:]))
	if n == 0 || uint64(len(is)-8) != n*uint64(w) {
		return 0, errIntset
	}
	var prev int64
	for i := 0; i < int(n); i++ {
		p := is[8+i*w:]
		var v int64
		switch w {
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(p)))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(p)))
		default:
			v = int64(binary.LittleEndian.Uint64(p))
		}
		if i > 0 && v <= prev {
			return 0, errIntset
		}
		prev = v
		if err := fn(v); err != nil {
			return 0, err
		}
	}
	return int(n), nil
}

// appendIntset appends the intset of the sorted, distinct values vs,
// with the narrowest encoding that holds them all.
func appendIntset(dst []byte, vs []int64) []byte {
	w := 2
	for _, v := range vs {
		if v < math.MinInt32 || v > math.MaxInt32 {
			w = 8
			break
		}
		if v < math.MinInt16 || v > math.MaxInt16 {
			w = 4
		}
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(w))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(vs)))
	for _, v := range vs {
		switch w {
		case 2:
			dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
		case 4:
			dst = binary.LittleEndian.AppendUint32(dst, uint32(v))
		default:
			dst = binary.LittleEndian.AppendUint64(dst, uint64(v))
		}
	}
	return dst
}

// ---- zipmap (src/zipmap.c, loaded by Redis 7.0 for old RDB files) ----
//
//	<zmlen 1 B> (<len> key <len> <free 1 B> value <free bytes>)... 0xFF
//	len = 1 byte < 254, or 254 + u32 LE

func zipmapEach(zm []byte, fn func(field, value []byte) error) (int, error) {
	if len(zm) < 2 || zm[len(zm)-1] != 0xFF {
		return 0, errZipmap
	}
	end := len(zm) - 1
	p := 1
	readLen := func() (int, bool) {
		if p >= end {
			return 0, false
		}
		if zm[p] < 254 {
			l := int(zm[p])
			p++
			return l, true
		}
		if zm[p] != 254 || p+5 > end {
			return 0, false
		}
		l := binary.LittleEndian.Uint32(zm[p+1:])
		p += 5
		if uint64(l) > uint64(end-p) {
			return 0, false
		}
		return int(l), true
	}
	n := 0
	for p < end {
		kl, ok := readLen()
		if !ok || p+kl > end {
			return 0, errZipmap
		}
		k := zm[p : p+kl]
		p += kl
		vl, ok := readLen()
		if !ok || p >= end {
			return 0, errZipmap
		}
		free := int(zm[p])
		p++
		if p+vl+free > end {
			return 0, errZipmap
		}
		v := zm[p : p+vl]
		p += vl + free
		if err := fn(k, v); err != nil {
			return 0, err
		}
		n++
	}
	if zm[0] < 254 && int(zm[0]) != n {
		return 0, errZipmap
	}
	return n, nil
}
