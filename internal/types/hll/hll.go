// Package hll is Redis's HyperLogLog (src/hyperloglog.c, Redis 7.0.15):
// the byte representation stored in a Redis string, its sparse and dense
// encodings, and the cardinality estimator.
//
// Layout of a HyperLogLog string:
//
//	+------+---+-----+----------+---------------------------+
//	| HYLL | E | N/U | Cardin.  | registers ...             |
//	+------+---+-----+----------+---------------------------+
//	  4      1   3     8 (LE)
//
// E is the encoding (0 dense, 1 sparse), the 3 unused bytes are zero, the
// cached cardinality is little endian with its most significant bit set
// when the cache is stale.
//
// Dense: 16384 registers of 6 bits each, register 0 in the low bits of
// byte 0 (12288 bytes). Sparse: a run-length sequence of opcodes:
//
//	00xxxxxx          ZERO:  xxxxxx+1 (1..64) registers set to 0
//	01xxxxxx yyyyyyyy XZERO: xxxxxxyyyyyyyy+1 (1..16384) registers set to 0
//	1vvvvvxx          VAL:   xx+1 (1..4) registers set to vvvvv+1 (1..32)
//
// Every function validates what it reads: a malformed value yields
// ErrInvalid (or the same result Redis computes for it), never a panic.
package hll

import (
	"encoding/binary"
	"errors"
	"math"
)

const (
	// P is the number of hash bits that select a register.
	P = 14
	// Q is the number of hash bits used for the run of zeroes.
	Q = 64 - P
	// Registers is the number of registers.
	Registers = 1 << P
	// Bits is the width of a dense register.
	Bits = 6
	// RegisterMax is the largest register value.
	RegisterMax = 1<<Bits - 1
	// HdrSize is the header length.
	HdrSize = 16
	// DenseSize is the length of a dense HyperLogLog.
	DenseSize = HdrSize + (Registers*Bits+7)/8

	// Dense and Sparse are the encoding byte values.
	Dense  = 0
	Sparse = 1

	sparseXZeroBit  = 0x40
	sparseValBit    = 0x80
	sparseValMax    = 32
	sparseValMaxLen = 4
	sparseZeroMax   = 64
	sparseXZeroMax  = 16384

	alphaInf = 0.721347520444481703680 // 0.5/ln(2)
	seed     = 0xadc83b19
)

// ErrInvalid reports a corrupted HyperLogLog (Redis's INVALIDOBJ).
var ErrInvalid = errors.New("corrupted HLL object")

// MurmurHash64A is Austin Appleby's 64-bit MurmurHash2 as Redis uses it
// (little-endian word reads).
func MurmurHash64A(data []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ (uint64(len(data)) * m)
	n := len(data) &^ 7
	for i := 0; i < n; i += 8 {
		k := binary.LittleEndian.Uint64(data[i:])
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	tail := data[n:]
	switch len(tail) {
	case 7:
		h ^= uint64(tail[6]) << 48
		fallthrough
	case 6:
		h ^= uint64(tail[5]) << 40
		fallthrough
	case 5:
		h ^= uint64(tail[4]) << 32
		fallthrough
	case 4:
		h ^= uint64(tail[3]) << 24
		fallthrough
	case 3:
		h ^= uint64(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint64(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint64(tail[0])
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// PatLen returns the register an element maps to and the length of the
// "000...1" pattern of its hash (1..Q+1): Redis's hllPatLen.
func PatLen(ele []byte) (index int, count uint8) {
	hash := MurmurHash64A(ele, seed)
	index = int(hash & (Registers - 1))
	hash >>= P
	hash |= 1 << Q
	count = 1
	for bit := uint64(1); hash&bit == 0; bit <<= 1 {
		count++
	}
	return index, count
}

// New returns an empty HyperLogLog: sparse, all registers in XZERO runs,
// a valid cached cardinality of 0 (createHLLObject).
func New() []byte {
	n := (Registers + sparseXZeroMax - 1) / sparseXZeroMax
	b := make([]byte, HdrSize, HdrSize+2*n)
	copy(b, "HYLL")
	b[4] = Sparse
	for left := Registers; left > 0; {
		x := min(left, sparseXZeroMax)
		b = appendXZero(b, x)
		left -= x
	}
	return b
}

// IsHLL reports whether b looks like a HyperLogLog: Redis's
// isHLLObjectOrReply checks (length, magic, encoding, dense length).
func IsHLL(b []byte) bool {
	if len(b) < HdrSize || string(b[:4]) != "HYLL" || b[4] > Sparse {
		return false
	}
	return b[4] != Dense || len(b) == DenseSize
}

// CachedCard returns the cached cardinality if it is valid. b must be at
// least HdrSize bytes long (IsHLL), as for SetCachedCard and
// InvalidateCache.
func CachedCard(b []byte) (uint64, bool) {
	if b[15]&0x80 != 0 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[8:16]), true
}

// SetCachedCard stores a valid cached cardinality.
func SetCachedCard(b []byte, card uint64) { binary.LittleEndian.PutUint64(b[8:16], card) }

// InvalidateCache marks the cached cardinality stale.
func InvalidateCache(b []byte) { b[15] |= 0x80 }

// at reads b[i], or 0 past the end (Redis reads the sds terminator there).
func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

func isZero(op byte) bool  { return op&0xc0 == 0 }
func isXZero(op byte) bool { return op&0xc0 == sparseXZeroBit }
func isVal(op byte) bool   { return op&sparseValBit != 0 }
func zeroLen(op byte) int  { return int(op&0x3f) + 1 }
func xzeroLen(b []byte, i int) int {
	return (int(b[i]&0x3f)<<8 | int(at(b, i+1))) + 1
}
func valValue(op byte) int { return int(op>>2&0x1f) + 1 }
func valLen(op byte) int   { return int(op&0x3) + 1 }
func valOp(val, n int) byte {
	return byte((val-1)<<2|(n-1)) | sparseValBit
}
func appendXZero(b []byte, n int) []byte {
	n--
	return append(b, byte(n>>8)|sparseXZeroBit, byte(n))
}

// DenseGet returns register i of dense registers regs.
func DenseGet(regs []byte, i int) uint8 {
	byt := i * Bits / 8
	fb := uint(i * Bits & 7)
	b0 := uint(regs[byt])
	b1 := uint(at(regs, byt+1))
	return uint8((b0>>fb | b1<<(8-fb)) & RegisterMax)
}

// DenseSetRaw stores v in register i of dense registers regs.
func DenseSetRaw(regs []byte, i int, v uint8) {
	byt := i * Bits / 8
	fb := uint(i * Bits & 7)
	fb8 := 8 - fb
	regs[byt] &^= byte(RegisterMax << fb)
	regs[byt] |= byte(uint(v) << fb)
	if byt+1 < len(regs) {
		regs[byt+1] &^= byte(RegisterMax >> fb8)
		regs[byt+1] |= byte(uint(v) >> fb8)
	}
}

// denseSet raises register i to count; it reports whether it changed.
func denseSet(regs []byte, i int, count uint8) int {
	if count > DenseGet(regs, i) {
		DenseSetRaw(regs, i, count)
		return 1
	}
	return 0
}

// SparseToDense converts a HyperLogLog to the dense encoding (header and
// cached cardinality kept). A dense input is returned as is.
func SparseToDense(b []byte) ([]byte, error) {
	if !IsHLL(b) {
		return nil, ErrInvalid
	}
	if b[4] == Dense {
		return b, nil
	}
	d := make([]byte, DenseSize)
	copy(d, b[:HdrSize])
	d[4] = Dense
	regs := d[HdrSize:]
	idx := 0
	for p := HdrSize; p < len(b); {
		op := b[p]
		switch {
		case isZero(op):
			idx += zeroLen(op)
			p++
		case isXZero(op):
			idx += xzeroLen(b, p)
			p += 2
		default:
			n, v := valLen(op), valValue(op)
			if idx+n > Registers {
				return nil, ErrInvalid
			}
			for ; n > 0; n-- {
				DenseSetRaw(regs, idx, uint8(v))
				idx++
			}
			p++
		}
	}
	if idx != Registers {
		return nil, ErrInvalid
	}
	return d, nil
}

// Set raises register index to count (hllDenseSet / hllSparseSet),
// converting a sparse HyperLogLog to dense when a value no longer fits
// or the sparse form would grow past sparseMax bytes. It returns the
// (possibly reallocated) HyperLogLog and 1 if a register changed.
func Set(b []byte, index int, count uint8, sparseMax int) ([]byte, int, error) {
	if !IsHLL(b) || index < 0 || index >= Registers {
		return b, 0, ErrInvalid
	}
	switch b[4] {
	case Dense:
		return b, denseSet(b[HdrSize:], index, count), nil
	case Sparse:
		return sparseSet(b, index, count, sparseMax)
	}
	return b, 0, ErrInvalid
}

// Add adds an element (hllAdd).
func Add(b, ele []byte, sparseMax int) ([]byte, int, error) {
	index, count := PatLen(ele)
	return Set(b, index, count, sparseMax)
}

func promote(b []byte, index int, count uint8) ([]byte, int, error) {
	d, err := SparseToDense(b)
	if err != nil {
		return b, 0, err
	}
	return d, denseSet(d[HdrSize:], index, count), nil
}

func sparseSet(b []byte, index int, count uint8, sparseMax int) ([]byte, int, error) {
	if count > sparseValMax {
		return promote(b, index, count)
	}
	// Step 1: find the opcode covering index.
	end := len(b)
	p, prev := HdrSize, -1
	first, span := 0, 0
	for p < end {
		oplen := 1
		op := b[p]
		switch {
		case isZero(op):
			span = zeroLen(op)
		case isVal(op):
			span = valLen(op)
		default:
			span = xzeroLen(b, p)
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return b, 0, ErrInvalid
	}
	op := b[p]
	oldlen := 1
	if isXZero(op) {
		oldlen = 2
	}
	hasNext := p+oldlen < end

	var runlen int
	switch {
	case isZero(op):
		runlen = zeroLen(op)
	case isXZero(op):
		runlen = xzeroLen(b, p)
	default:
		runlen = valLen(op)
	}

	// Step 2: the trivial in-place updates.
	if isVal(op) {
		if valValue(op) >= int(count) {
			return b, 0, nil
		}
		if runlen == 1 {
			b[p] = valOp(int(count), 1)
			return sparseCompact(b, prev), 1, nil
		}
	}
	if isZero(op) && runlen == 1 {
		b[p] = valOp(int(count), 1)
		return sparseCompact(b, prev), 1, nil
	}

	// General case: split the opcode into up to three.
	var seqBuf [5]byte
	seq := seqBuf[:0]
	last := first + span - 1
	zeros := func(seq []byte, n int) []byte {
		if n > sparseZeroMax {
			return appendXZero(seq, n)
		}
		return append(seq, byte(n-1))
	}
	if isVal(op) {
		cur := valValue(op)
		if index != first {
			seq = append(seq, valOp(cur, index-first))
		}
		seq = append(seq, valOp(int(count), 1))
		if index != last {
			seq = append(seq, valOp(cur, last-index))
		}
	} else {
		if index != first {
			seq = zeros(seq, index-first)
		}
		seq = append(seq, valOp(int(count), 1))
		if index != last {
			seq = zeros(seq, last-index)
		}
	}

	// Step 3: substitute the sequence for the opcode.
	delta := len(seq) - oldlen
	if delta > 0 && len(b)+delta > sparseMax {
		return promote(b, index, count)
	}
	newLen := len(b) + delta
	nb := make([]byte, 0, max(newLen, p+len(seq)))
	nb = append(nb, b[:p]...)
	nb = append(nb, seq...)
	if hasNext {
		nb = append(nb, b[p+oldlen:]...)
	}
	nb = nb[:newLen]
	return sparseCompact(nb, prev), 1, nil
}

// sparseCompact merges adjacent VAL opcodes of equal value, scanning up to
// five opcodes from prev (step 4 of hllSparseSet), and invalidates the
// cached cardinality.
func sparseCompact(b []byte, prev int) []byte {
	p := prev
	if p < 0 {
		p = HdrSize
	}
	for scan := 5; p < len(b) && scan > 0; {
		scan--
		op := b[p]
		if isXZero(op) {
			p += 2
			continue
		}
		if isZero(op) {
			p++
			continue
		}
		if p+1 < len(b) && isVal(b[p+1]) {
			v1, v2 := valValue(op), valValue(b[p+1])
			if v1 == v2 {
				n := valLen(op) + valLen(b[p+1])
				if n <= sparseValMaxLen {
					b[p+1] = valOp(v1, n)
					copy(b[p:], b[p+1:])
					b = b[:len(b)-1]
					continue
				}
			}
		}
		p++
	}
	InvalidateCache(b)
	return b
}

// Merge raises max[i] to register i of b for every register (hllMerge).
func Merge(maxRegs *[Registers]uint8, b []byte) error {
	if !IsHLL(b) {
		return ErrInvalid
	}
	if b[4] == Dense {
		regs := b[HdrSize:]
		for i := range maxRegs {
			if v := DenseGet(regs, i); v > maxRegs[i] {
				maxRegs[i] = v
			}
		}
		return nil
	}
	i := 0
	for p := HdrSize; p < len(b); {
		op := b[p]
		switch {
		case isZero(op):
			i += zeroLen(op)
			p++
		case isXZero(op):
			i += xzeroLen(b, p)
			p += 2
		default:
			n, v := valLen(op), uint8(valValue(op))
			if i+n > Registers {
				return ErrInvalid
			}
			for ; n > 0; n-- {
				if v > maxRegs[i] {
					maxRegs[i] = v
				}
				i++
			}
			p++
		}
	}
	if i != Registers {
		return ErrInvalid
	}
	return nil
}

// Count estimates the cardinality of b (hllCount), ignoring the cache.
// A sparse HyperLogLog whose opcodes do not cover exactly Registers
// registers is invalid.
func Count(b []byte) (uint64, error) {
	if !IsHLL(b) {
		return 0, ErrInvalid
	}
	var histo [64]int
	if b[4] == Dense {
		regs := b[HdrSize:]
		for i := 0; i < Registers; i++ {
			histo[DenseGet(regs, i)]++
		}
		return estimate(&histo), nil
	}
	idx := 0
	for p := HdrSize; p < len(b); {
		op := b[p]
		switch {
		case isZero(op):
			n := zeroLen(op)
			idx += n
			histo[0] += n
			p++
		case isXZero(op):
			n := xzeroLen(b, p)
			idx += n
			histo[0] += n
			p += 2
		default:
			n := valLen(op)
			idx += n
			histo[valValue(op)] += n
			p++
		}
	}
	if idx != Registers {
		return 0, ErrInvalid
	}
	return estimate(&histo), nil
}

// CountRegisters estimates the cardinality of plain byte registers (the
// internal "raw" encoding of a multi-key PFCOUNT).
func CountRegisters(regs *[Registers]uint8) uint64 {
	var histo [64]int
	for _, v := range regs {
		histo[v&63]++
	}
	return estimate(&histo)
}

func sigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		zp := z
		z += x * y
		y += y
		if zp == z {
			return z
		}
	}
}

func tau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zp := z
		y *= 0.5
		d := 1 - x
		z -= d * d * y
		if zp == z {
			return z / 3
		}
	}
}

// estimate is Ertl's improved estimator over a register histogram
// ("New cardinality estimation algorithms for HyperLogLog sketches").
func estimate(histo *[64]int) uint64 {
	const m = float64(Registers)
	z := m * tau((m-float64(histo[Q+1]))/m)
	for j := Q; j >= 1; j-- {
		z += float64(histo[j])
		z *= 0.5
	}
	z += m * sigma(float64(histo[0])/m)
	return uint64(math.Round(alphaInf * m * m / z))
}

// RegisterValues returns all register values of b.
func RegisterValues(b []byte) ([]uint8, error) {
	var regs [Registers]uint8
	if err := Merge(&regs, b); err != nil {
		return nil, err
	}
	return regs[:], nil
}

// AppendDecode appends PFDEBUG DECODE's text for a sparse HyperLogLog:
// "z:<len>", "Z:<len>" and "v:<value>,<len>" separated by spaces.
func AppendDecode(dst, b []byte) []byte {
	if len(b) < HdrSize {
		return dst
	}
	start := len(dst)
	for p := HdrSize; p < len(b); {
		op := b[p]
		switch {
		case isZero(op):
			dst = append(dst, "z:"...)
			dst = appendInt(dst, zeroLen(op))
			p++
		case isXZero(op):
			dst = append(dst, "Z:"...)
			dst = appendInt(dst, xzeroLen(b, p))
			p += 2
		default:
			dst = append(dst, "v:"...)
			dst = appendInt(dst, valValue(op))
			dst = append(dst, ',')
			dst = appendInt(dst, valLen(op))
			p++
		}
		dst = append(dst, ' ')
	}
	if len(dst) > start {
		dst = dst[:len(dst)-1]
	}
	return dst
}

func appendInt(dst []byte, n int) []byte {
	var buf [8]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(dst, buf[i:]...)
}
