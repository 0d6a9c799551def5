package command

import (
	"math"
	"math/bits"
	"strconv"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
)

// Bit commands on strings (Redis's bitops.c). A string is a bitmap whose
// bit 0 is the most significant bit of its first byte.
func bitCommands() []*Spec {
	return []*Spec{
		{Name: "setbit", Handler: setbitCommand},
		{Name: "getbit", Handler: getbitCommand},
		{Name: "bitcount", Handler: bitcountCommand},
		{Name: "bitpos", Handler: bitposCommand},
		{Name: "bitop", Handler: bitopCommand},
		{Name: "bitfield", Handler: bitfieldCommand},
		{Name: "bitfield_ro", Handler: bitfieldROCommand},
	}
}

// bitOffsetArg is Redis's getBitOffsetFromArgument: a bit offset that must
// address a byte below proto-max-bulk-len. With hash, "#N" means N×width
// (BITFIELD).
func bitOffsetArg(c *Ctx, arg []byte, hash bool, width int) (uint64, bool) {
	useHash := hash && width > 0 && len(arg) > 0 && arg[0] == '#'
	if useHash {
		arg = arg[1:]
	}
	off, ok := parseInt(arg)
	if ok && useHash {
		off *= int64(width) // wraps as Redis's does; negative is refused below
	}
	if !ok || off < 0 || (!mustObey(c) && off>>3 >= maxBulkLen(c)) {
		c.Error(ErrBitOffset)
		return 0, false
	}
	return uint64(off), true
}

// bitmapForWrite is Redis's lookupStringForBitCommand: a private copy of
// the key's string, zero-padded so that bit maxbit is addressable (a new
// zeroed string when the key is missing). dirty reports that the string
// was created or grown; raw that the stored value was already a raw
// string (Redis unshares int and embstr values into raw ones). It replies
// WRONGTYPE and reports !ok for a non-string.
func bitmapForWrite(c *Ctx, maxbit uint64) (buf []byte, dirty, raw, ok bool) {
	need := int(maxbit>>3) + 1
	e, found := c.DB.Lookup(c.Argv[1])
	if !found {
		return make([]byte, need), true, false, true
	}
	if e.Type != keyspace.TypeString {
		c.Error(ErrWrongType)
		return nil, false, false, false
	}
	var tmp [20]byte
	old := stringBytes(e, tmp[:0])
	buf = make([]byte, max(len(old), need))
	copy(buf, old)
	return buf, len(buf) != len(old), e.Enc == keyspace.EncRaw, true
}

// SETBIT key offset value
func setbitCommand(c *Ctx) {
	off, ok := bitOffsetArg(c, c.Argv[2], false, 0)
	if !ok {
		return
	}
	on, ok := parseInt(c.Argv[3])
	if !ok || on&^1 != 0 {
		c.Error(ErrBitValue)
		return
	}
	key := c.Argv[1]
	byteIdx, shift := off>>3, 7-off&7
	// Setting a bit to the value it has in a raw string changes nothing:
	// answer without copying the string.
	if e, found := c.DB.Lookup(key); found && e.Type == keyspace.TypeString && e.Enc == keyspace.EncRaw &&
		byteIdx < uint64(len(e.Str)) && int64(e.Str[byteIdx]>>shift)&1 == on {
		c.W.Int(on)
		return
	}
	buf, dirty, raw, ok := bitmapForWrite(c, off)
	if !ok {
		return
	}
	old := int64(buf[byteIdx]>>shift) & 1
	changed := dirty || old != on
	if changed {
		buf[byteIdx] = buf[byteIdx]&^(1<<shift) | byte(on)<<shift
	}
	if changed || !raw {
		c.DB.SetString(key, buf, keyspace.KeepTTL, true)
	}
	if changed {
		c.Modified(key)
		c.Notify('$', "setbit", key)
	}
	c.W.Int(old)
}

// GETBIT key offset
func getbitCommand(c *Ctx) {
	off, ok := bitOffsetArg(c, c.Argv[2], false, 0)
	if !ok {
		return
	}
	e, found := lookupKeyRead(c, c.Argv[1])
	if !found {
		c.W.Int(0)
		return
	}
	if e.Type != keyspace.TypeString {
		c.Error(ErrWrongType)
		return
	}
	var tmp [20]byte
	s := stringBytes(e, tmp[:0])
	var bit int64
	if byteIdx := off >> 3; byteIdx < uint64(len(s)) {
		bit = int64(s[byteIdx]>>(7-off&7)) & 1
	}
	c.W.Int(bit)
}

// bitRangeArgs converts BITCOUNT/BITPOS start and end (bytes, or bits
// with isBit) to a range of bits [from, to] of a string of n bytes, as
// Redis does: negative indexes count from the end, and the range is
// clamped to the string. It reports false for an empty range.
func bitRangeArgs(start, end int64, isBit bool, n int64) (from, to int64, ok bool) {
	total := n
	if isBit {
		total <<= 3
	}
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= total {
		end = total - 1
	}
	if start > end {
		return 0, 0, false
	}
	if isBit {
		return start, end, true
	}
	return start << 3, end<<3 + 7, true
}

// unitArg parses BIT|BYTE.
func unitArg(c *Ctx, arg []byte) (isBit, ok bool) {
	switch {
	case cstrIs(arg, "bit"):
		return true, true
	case cstrIs(arg, "byte"):
		return false, true
	}
	c.Error(ErrSyntax)
	return false, false
}

// BITCOUNT key [start end [BYTE|BIT]]
func bitcountCommand(c *Ctx) {
	e, found := lookupKeyRead(c, c.Argv[1])
	if !found {
		c.W.Int(0)
		return
	}
	if e.Type != keyspace.TypeString {
		c.Error(ErrWrongType)
		return
	}
	var tmp [20]byte
	s := stringBytes(e, tmp[:0])
	var from, to int64
	switch len(c.Argv) {
	case 2:
		if len(s) == 0 {
			c.W.Int(0)
			return
		}
		from, to = 0, int64(len(s))*8-1
	case 4, 5:
		start, ok := parseInt(c.Argv[2])
		if !ok {
			c.Error(ErrNotInt)
			return
		}
		end, ok := parseInt(c.Argv[3])
		if !ok {
			c.Error(ErrNotInt)
			return
		}
		if start < 0 && end < 0 && start > end {
			c.W.Int(0)
			return
		}
		isBit := false
		if len(c.Argv) == 5 {
			if isBit, ok = unitArg(c, c.Argv[4]); !ok {
				return
			}
		}
		if from, to, ok = bitRangeArgs(start, end, isBit, int64(len(s))); !ok {
			c.W.Int(0)
			return
		}
	default:
		c.Error(ErrSyntax)
		return
	}
	c.W.Int(popcountRange(s, from, to))
}

// popcountRange counts the set bits of s in the bit range [from, to].
func popcountRange(s []byte, from, to int64) int64 {
	fb, tb := from>>3, to>>3
	n := popcount(s[fb : tb+1])
	// Take away the bits of the edge bytes outside the range.
	n -= int64(bits.OnesCount8(s[fb] & ^(0xff >> (from & 7))))
	n -= int64(bits.OnesCount8(s[tb] & (0x7f >> (to & 7))))
	return n
}

func popcount(s []byte) int64 {
	var n int
	for len(s) >= 8 {
		n += bits.OnesCount64(uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56)
		s = s[8:]
	}
	for _, b := range s {
		n += bits.OnesCount8(b)
	}
	return int64(n)
}

// BITPOS key bit [start [end [BYTE|BIT]]]
func bitposCommand(c *Ctx) {
	bit, ok := parseInt(c.Argv[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if bit != 0 && bit != 1 {
		c.Error(ErrBitArg)
		return
	}
	e, found := lookupKeyRead(c, c.Argv[1])
	if !found {
		// A missing key is an endless run of zeros.
		if bit == 1 {
			c.W.Int(-1)
		} else {
			c.W.Int(0)
		}
		return
	}
	if e.Type != keyspace.TypeString {
		c.Error(ErrWrongType)
		return
	}
	var tmp [20]byte
	s := stringBytes(e, tmp[:0])
	n := int64(len(s))
	var from, to int64
	endGiven := false
	switch len(c.Argv) {
	case 3:
		if n == 0 {
			c.W.Int(-1)
			return
		}
		from, to = 0, n*8-1
	case 4, 5, 6:
		start, ok := parseInt(c.Argv[3])
		if !ok {
			c.Error(ErrNotInt)
			return
		}
		isBit := false
		if len(c.Argv) == 6 {
			if isBit, ok = unitArg(c, c.Argv[5]); !ok {
				return
			}
		}
		end := n - 1
		if len(c.Argv) >= 5 {
			if end, ok = parseInt(c.Argv[4]); !ok {
				c.Error(ErrNotInt)
				return
			}
			endGiven = true
		}
		if from, to, ok = bitRangeArgs(start, end, isBit, n); !ok {
			c.W.Int(-1)
			return
		}
	default:
		c.Error(ErrSyntax)
		return
	}
	pos := bitpos(s, from, to, byte(bit))
	if pos < 0 {
		switch {
		case bit == 1 || endGiven:
			// No such bit in the range. Looking for a clear bit without
			// an end, the string is taken as padded with zeros: the answer
			// is the first bit after the range's last byte.
		default:
			pos = (to>>3 + 1) << 3
		}
	}
	c.W.Int(pos)
}

// bitpos returns the position of the first bit equal to bit in the bit
// range [from, to] of s, or -1.
func bitpos(s []byte, from, to int64, bit byte) int64 {
	skip := byte(0)
	if bit == 0 {
		skip = 0xff
	}
	for i := from; i <= to; {
		if i&7 == 0 && i+7 <= to {
			// whole bytes at a time
			b := i >> 3
			if s[b] == skip {
				i += 8
				continue
			}
		}
		if (s[i>>3]>>(7-i&7))&1 == bit {
			return i
		}
		i++
	}
	return -1
}

// BITOP AND|OR|XOR|NOT destkey key [key ...]
func bitopCommand(c *Ctx) {
	const (
		opAnd = iota
		opOr
		opXor
		opNot
	)
	var op int
	switch name := c.Argv[1]; {
	case cstrIs(name, "and"):
		op = opAnd
	case cstrIs(name, "or"):
		op = opOr
	case cstrIs(name, "xor"):
		op = opXor
	case cstrIs(name, "not"):
		op = opNot
	default:
		c.Error(ErrSyntax)
		return
	}
	if op == opNot && len(c.Argv) != 4 {
		c.Error(ErrBitopNot)
		return
	}
	dest := c.Argv[2]
	srcs := make([][]byte, len(c.Argv)-3)
	maxLen := 0
	for j, key := range c.Argv[3:] {
		e, found := lookupKeyRead(c, key)
		if !found {
			continue // a missing key is a string of zeros
		}
		if e.Type != keyspace.TypeString {
			c.Error(ErrWrongType)
			return
		}
		if e.Enc == keyspace.EncInt {
			srcs[j] = strconv.AppendInt(nil, e.Int, 10)
		} else {
			srcs[j] = e.Str // valid until we write dest below
		}
		maxLen = max(maxLen, len(srcs[j]))
	}
	if maxLen == 0 {
		if c.DB.Delete(dest) {
			c.Modified(dest)
			c.Notify('g', "del", dest)
		}
		c.W.Int(0)
		return
	}
	res := make([]byte, maxLen)
	copy(res, srcs[0])
	switch op {
	case opNot:
		for i := range res {
			res[i] = ^res[i]
		}
	case opAnd:
		for _, src := range srcs[1:] {
			n := min(len(res), len(src))
			for i := 0; i < n; i++ {
				res[i] &= src[i]
			}
			clear(res[n:]) // past its end a source is zeros
		}
	case opOr:
		for _, src := range srcs[1:] {
			for i, b := range src {
				res[i] |= b
			}
		}
	case opXor:
		for _, src := range srcs[1:] {
			for i, b := range src {
				res[i] ^= b
			}
		}
	}
	c.DB.SetString(dest, res, keyspace.NoExpire, true)
	c.Modified(dest)
	c.Notify('$', "set", dest)
	c.W.Int(int64(maxLen))
}

// BITFIELD operations and overflow behaviours.
const (
	bfGet = iota
	bfSet
	bfIncrBy
)

const (
	bfWrap = iota
	bfSat
	bfFail
)

type bitfieldOp struct {
	offset   uint64
	value    int64 // SET value or INCRBY increment
	opcode   int
	overflow int
	width    uint
	signed   bool
}

func bitfieldCommand(c *Ctx) { bitfieldGeneric(c, false) }

func bitfieldROCommand(c *Ctx) { bitfieldGeneric(c, true) }

// bitfieldGeneric is Redis's bitfieldGeneric: BITFIELD key [GET type
// offset] [SET type offset value] [INCRBY type offset increment]
// [OVERFLOW WRAP|SAT|FAIL]...; with readOnly (BITFIELD_RO) only GET.
func bitfieldGeneric(c *Ctx, readOnly bool) {
	var opsBuf [8]bitfieldOp
	ops := opsBuf[:0]
	overflow := bfWrap
	writes := false
	var highest uint64
	for j := 2; j < len(c.Argv); j++ {
		rem := len(c.Argv) - j - 1
		sub := c.Argv[j]
		var op bitfieldOp
		switch {
		case cstrIs(sub, "get") && rem >= 2:
			op.opcode = bfGet
		case cstrIs(sub, "set") && rem >= 3:
			op.opcode = bfSet
		case cstrIs(sub, "incrby") && rem >= 3:
			op.opcode = bfIncrBy
		case cstrIs(sub, "overflow") && rem >= 1:
			j++
			switch t := c.Argv[j]; {
			case cstrIs(t, "wrap"):
				overflow = bfWrap
			case cstrIs(t, "sat"):
				overflow = bfSat
			case cstrIs(t, "fail"):
				overflow = bfFail
			default:
				c.Error(ErrBitfieldOverflow)
				return
			}
			continue
		default:
			c.Error(ErrSyntax)
			return
		}
		signed, width, ok := bitfieldTypeArg(c.Argv[j+1])
		if !ok {
			c.Error(ErrBitfieldType)
			return
		}
		off, ok := bitOffsetArg(c, c.Argv[j+2], true, int(width))
		if !ok {
			return
		}
		if op.opcode != bfGet {
			writes = true
			highest = max(highest, off+uint64(width)-1)
			if op.value, ok = parseInt(c.Argv[j+3]); !ok {
				c.Error(ErrNotInt)
				return
			}
			j++
		}
		op.offset, op.width, op.signed, op.overflow = off, width, signed, overflow
		ops = append(ops, op)
		j += 2
	}

	key := c.Argv[1]
	var buf []byte // the bitmap: read-only view, or a private copy to write
	var dirty, raw bool
	if !writes {
		e, found := lookupKeyRead(c, key)
		if found {
			if e.Type != keyspace.TypeString {
				c.Error(ErrWrongType)
				return
			}
			var tmp [20]byte
			buf = stringBytes(e, tmp[:0])
		}
	} else {
		if readOnly {
			c.Error(ErrBitfieldRO)
			return
		}
		var ok bool
		if buf, dirty, raw, ok = bitmapForWrite(c, highest); !ok {
			return
		}
	}

	c.W.Array(len(ops))
	changes := 0
	for i := range ops {
		op := &ops[i]
		if op.opcode == bfGet {
			v := bitfieldGet(buf, op.offset, op.width)
			if op.signed {
				c.W.Int(signExtend(v, op.width))
			} else {
				c.W.Int(int64(v))
			}
			continue
		}
		oldRaw := bitfieldGet(buf, op.offset, op.width)
		var newRaw uint64
		var reply int64
		var over int
		if op.signed {
			old := signExtend(oldRaw, op.width)
			var nv, wrapped int64
			if op.opcode == bfIncrBy {
				over, wrapped = checkSignedBitfieldOverflow(old, op.value, op.width, op.overflow)
				nv = old + op.value
				if over != 0 {
					nv = wrapped
				}
				reply = nv
			} else {
				nv = op.value
				if over, wrapped = checkSignedBitfieldOverflow(nv, 0, op.width, op.overflow); over != 0 {
					nv = wrapped
				}
				reply = old
			}
			newRaw = uint64(nv)
		} else {
			var wrapped uint64
			if op.opcode == bfIncrBy {
				newRaw = oldRaw + uint64(op.value)
				if over, wrapped = checkUnsignedBitfieldOverflow(oldRaw, op.value, op.width, op.overflow); over != 0 {
					newRaw = wrapped
				}
				reply = int64(newRaw)
			} else {
				newRaw = uint64(op.value)
				if over, wrapped = checkUnsignedBitfieldOverflow(newRaw, 0, op.width, op.overflow); over != 0 {
					newRaw = wrapped
				}
				reply = int64(oldRaw)
			}
		}
		if over != 0 && op.overflow == bfFail {
			c.W.Null()
			continue
		}
		c.W.Int(reply)
		bitfieldSet(buf, op.offset, op.width, newRaw)
		if dirty || oldRaw != newRaw&widthMask(op.width) {
			changes++
		}
	}
	if writes && (dirty || changes > 0 || !raw) {
		c.DB.SetString(key, buf, keyspace.KeepTTL, true)
	}
	if changes > 0 {
		c.Modified(key)
		c.Notify('$', "setbit", key)
	}
}

// bitfieldTypeArg is Redis's getBitfieldTypeFromArgument: i1..i64 or
// u1..u63.
func bitfieldTypeArg(arg []byte) (signed bool, width uint, ok bool) {
	if len(arg) == 0 || (arg[0] != 'i' && arg[0] != 'u') {
		return false, 0, false
	}
	signed = arg[0] == 'i'
	num := arg[1:]
	for i, ch := range num { // Redis reads the C string
		if ch == 0 {
			num = num[:i]
			break
		}
	}
	n, ok := parseInt(num)
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		return false, 0, false
	}
	return signed, uint(n), true
}

func widthMask(width uint) uint64 {
	if width >= 64 {
		return math.MaxUint64
	}
	return 1<<width - 1
}

// bitfieldGet reads width bits at bit offset off as an unsigned integer;
// bits past the end of s read as zero.
func bitfieldGet(s []byte, off uint64, width uint) uint64 {
	var v uint64
	for j := uint(0); j < width; j++ {
		var b uint64
		if byteIdx := off >> 3; byteIdx < uint64(len(s)) {
			b = uint64(s[byteIdx]>>(7-off&7)) & 1
		}
		v = v<<1 | b
		off++
	}
	return v
}

// bitfieldSet writes the low width bits of v at bit offset off; s is long
// enough.
func bitfieldSet(s []byte, off uint64, width uint, v uint64) {
	for j := uint(0); j < width; j++ {
		b := byte(v>>(width-1-j)) & 1
		shift := 7 - off&7
		s[off>>3] = s[off>>3]&^(1<<shift) | b<<shift
		off++
	}
}

func signExtend(v uint64, width uint) int64 {
	if width < 64 && v&(1<<(width-1)) != 0 {
		v |= math.MaxUint64 << width
	}
	return int64(v)
}

// checkUnsignedBitfieldOverflow is Redis's function of the same name: it
// returns 1 on overflow, -1 on underflow, else 0, and the value the
// field takes on overflow under WRAP or SAT.
func checkUnsignedBitfieldOverflow(value uint64, incr int64, width uint, overflow int) (int, uint64) {
	maxv := widthMask(width)
	maxIncr := int64(maxv - value)
	minIncr := -int64(value)
	wrap := func() uint64 { return (value + uint64(incr)) & maxv }
	if value > maxv || (incr > 0 && incr > maxIncr) {
		switch overflow {
		case bfWrap:
			return 1, wrap()
		case bfSat:
			return 1, maxv
		}
		return 1, 0
	}
	if incr < 0 && incr < minIncr {
		switch overflow {
		case bfWrap:
			return -1, wrap()
		case bfSat:
			return -1, 0
		}
		return -1, 0
	}
	return 0, 0
}

// checkSignedBitfieldOverflow is the signed counterpart; the arithmetic
// wraps as Redis's does on two's complement machines.
func checkSignedBitfieldOverflow(value, incr int64, width uint, overflow int) (int, int64) {
	maxv := int64(math.MaxInt64)
	if width < 64 {
		maxv = 1<<(width-1) - 1
	}
	minv := -maxv - 1
	maxIncr := int64(uint64(maxv) - uint64(value))
	minIncr := minv - value
	wrap := func() int64 {
		c := uint64(value) + uint64(incr)
		if width < 64 {
			mask := uint64(math.MaxUint64) << width
			if c&(1<<(width-1)) != 0 {
				c |= mask
			} else {
				c &^= mask
			}
		}
		return int64(c)
	}
	if value > maxv || (width != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr) {
		switch overflow {
		case bfWrap:
			return 1, wrap()
		case bfSat:
			return 1, maxv
		}
		return 1, 0
	}
	if value < minv || (width != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr) {
		switch overflow {
		case bfWrap:
			return -1, wrap()
		case bfSat:
			return -1, minv
		}
		return -1, 0
	}
	return 0, 0
}
