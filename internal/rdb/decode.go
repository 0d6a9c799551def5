package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/types/hash"
	"github.com/cinnabar-db/cinnabar/internal/types/list"
	"github.com/cinnabar-db/cinnabar/internal/types/set"
	"github.com/cinnabar-db/cinnabar/internal/types/zset"
)

var (
	// ErrChecksum is a payload whose version or CRC64 is wrong.
	ErrChecksum = errors.New("DUMP payload version or checksum are wrong")
	errShort    = errors.New("unexpected end of data")
	errEmpty    = errors.New("empty collection")
	errDup      = errors.New("duplicate element")
	errBadType  = errors.New("unknown or unsupported value type")
	errScore    = errors.New("invalid score")
	errOdd      = errors.New("odd number of elements in a pair encoding")
)

// Limits are the encoding thresholds of the configuration that a loaded
// collection is built with (list-max-listpack-size, ...), so a restored
// collection converts exactly where one built by commands would.
type Limits struct {
	ListFill            int // list-max-listpack-size
	ListCompressDepth   int // list-compress-depth
	Hash                hash.Limits
	SetMaxIntsetEntries int // set-max-intset-entries
	ZSet                zset.Limits
}

// DefaultLimits returns Redis's default thresholds.
func DefaultLimits() Limits {
	return Limits{
		ListFill:            -2,
		Hash:                hash.DefaultLimits(),
		SetMaxIntsetEntries: set.DefaultMaxIntsetEntries,
		ZSet:                zset.DefaultLimits(),
	}
}

// Object is a decoded value: Str for strings (it may alias the decoded
// buffer), Value (*list.List, *set.Set, *hash.Hash or *zset.ZSet) for
// collections.
type Object struct {
	Type  keyspace.Type
	Str   []byte
	Value any
}

// VerifyPayload checks a DUMP payload's footer (verifyDumpPayload): at
// least 10 bytes, an RDB version not newer than ours and a matching CRC64.
// It returns the version and the payload without its footer.
func VerifyPayload(p []byte) (body []byte, version uint16, err error) {
	if len(p) < 10 {
		return nil, 0, ErrChecksum
	}
	f := p[len(p)-10:]
	version = binary.LittleEndian.Uint16(f)
	if version > Version {
		return nil, version, ErrChecksum
	}
	if CRC64(0, p[:len(p)-8]) != binary.LittleEndian.Uint64(f[2:]) {
		return nil, version, ErrChecksum
	}
	return p[:len(p)-10], version, nil
}

// DecodeDump verifies a DUMP payload and decodes its value. A footer
// error is ErrChecksum; any other error means the value is malformed
// (Redis's "Bad data format").
func DecodeDump(p []byte, lim Limits) (Object, error) {
	body, _, err := VerifyPayload(p)
	if err != nil {
		return Object{}, err
	}
	o, _, err := DecodeValue(body, lim)
	return o, err
}

// DecodeValue decodes one type byte and value from b (rdbLoadObjectType +
// rdbLoadObject) and returns the number of bytes consumed.
func DecodeValue(b []byte, lim Limits) (o Object, n int, err error) {
	r := reader{b: b}
	t, err := r.byte()
	if err != nil {
		return Object{}, 0, fmt.Errorf("cannot read value type: %w", err)
	}
	o, err = r.object(t, lim)
	if err != nil {
		return Object{}, 0, fmt.Errorf("cannot decode value of type %d: %w", t, err)
	}
	return o, r.p, nil
}

// reader reads RDB primitives from a byte slice.
type reader struct {
	b []byte
	p int
}

func (r *reader) byte() (byte, error) {
	if r.p >= len(r.b) {
		return 0, errShort
	}
	c := r.b[r.p]
	r.p++
	return c, nil
}

func (r *reader) take(n uint64) ([]byte, error) {
	if uint64(len(r.b)-r.p) < n {
		return nil, errShort
	}
	s := r.b[r.p : r.p+int(n)]
	r.p += int(n)
	return s, nil
}

// length reads a length; encoded reports a special string encoding
// (11xxxxxx), whose kind is then n.
func (r *reader) length() (n uint64, encoded bool, err error) {
	c, err := r.byte()
	if err != nil {
		return 0, false, err
	}
	switch c >> 6 {
	case 0:
		return uint64(c & 0x3F), false, nil
	case 1:
		d, err := r.byte()
		if err != nil {
			return 0, false, err
		}
		return uint64(c&0x3F)<<8 | uint64(d), false, nil
	case 2:
		switch c {
		case 0x80:
			s, err := r.take(4)
			if err != nil {
				return 0, false, err
			}
			return uint64(binary.BigEndian.Uint32(s)), false, nil
		case 0x81:
			s, err := r.take(8)
			if err != nil {
				return 0, false, err
			}
			return binary.BigEndian.Uint64(s), false, nil
		}
		return 0, false, errors.New("invalid length encoding")
	}
	return uint64(c & 0x3F), true, nil
}

// count reads a collection length; it cannot exceed the bytes left (each
// element takes at least one byte), which bounds any allocation.
func (r *reader) count() (int, error) {
	n, enc, err := r.length()
	if err != nil {
		return 0, err
	}
	if enc || n > uint64(len(r.b)-r.p) {
		return 0, errShort
	}
	return int(n), nil
}

// str reads a string in any encoding. Raw strings alias the buffer.
func (r *reader) str() ([]byte, error) {
	n, enc, err := r.length()
	if err != nil {
		return nil, err
	}
	if !enc {
		return r.take(n)
	}
	switch n {
	case 0, 1, 2:
		w := 1 << n
		s, err := r.take(uint64(w))
		if err != nil {
			return nil, err
		}
		var x int64
		switch w {
		case 1:
			x = int64(int8(s[0]))
		case 2:
			x = int64(int16(binary.LittleEndian.Uint16(s)))
		default:
			x = int64(int32(binary.LittleEndian.Uint32(s)))
		}
		return strconv.AppendInt(nil, x, 10), nil
	case 3:
		clen, cenc, err := r.length()
		if err != nil {
			return nil, err
		}
		ulen, uenc, err := r.length()
		if err != nil {
			return nil, err
		}
		if cenc || uenc || ulen == 0 {
			return nil, errLZF
		}
		c, err := r.take(clen)
		if err != nil {
			return nil, err
		}
		// LZF expands at most ~ 264/3 times; refuse claims beyond that
		// before allocating.
		if ulen > uint64(len(c))*90+16 {
			return nil, errLZF
		}
		return lzfDecompress(nil, c, int(ulen))
	}
	return nil, errors.New("invalid string encoding")
}

// double reads a ZSET (version 1) score: a length byte then its text;
// 253 is NaN, 254 +inf, 255 -inf.
func (r *reader) double() (float64, error) {
	c, err := r.byte()
	if err != nil {
		return 0, err
	}
	switch c {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	s, err := r.take(uint64(c))
	if err != nil {
		return 0, err
	}
	return parseScore(s)
}

func parseScore(s []byte) (float64, error) {
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil {
		var ne *strconv.NumError
		if !errors.As(err, &ne) || ne.Err != strconv.ErrRange {
			return 0, errScore
		}
	}
	return f, nil
}

func (r *reader) object(t byte, lim Limits) (Object, error) {
	switch t {
	case TypeString:
		s, err := r.str()
		if err != nil {
			return Object{}, err
		}
		return Object{Type: keyspace.TypeString, Str: s}, nil
	case TypeList, TypeListZiplist, TypeListQuicklist, TypeListQuicklist2:
		l, err := r.list(t, lim)
		return Object{Type: keyspace.TypeList, Value: l}, err
	case TypeSet, TypeSetIntset:
		s, err := r.set(t, lim)
		return Object{Type: keyspace.TypeSet, Value: s}, err
	case TypeHash, TypeHashZipmap, TypeHashZiplist, TypeHashListpack:
		h, err := r.hash(t, lim)
		return Object{Type: keyspace.TypeHash, Value: h}, err
	case TypeZSet, TypeZSet2, TypeZSetZiplist, TypeZSetListpack:
		z, err := r.zset(t, lim)
		return Object{Type: keyspace.TypeZSet, Value: z}, err
	}
	return Object{}, errBadType
}

func (r *reader) list(t byte, lim Limits) (*list.List, error) {
	l := list.New(lim.ListFill, lim.ListCompressDepth)
	var buf []byte
	push := func(it item) error {
		if it.isInt {
			l.PushInt(list.Tail, it.v)
		} else {
			l.Push(list.Tail, it.s)
		}
		return nil
	}
	switch t {
	case TypeList:
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		for range n {
			s, err := r.str()
			if err != nil {
				return nil, err
			}
			l.Push(list.Tail, s)
		}
	case TypeListZiplist:
		blob, err := r.str()
		if err != nil {
			return nil, err
		}
		if _, err := zlEach(blob, push); err != nil {
			return nil, err
		}
	case TypeListQuicklist, TypeListQuicklist2:
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		for range n {
			container := uint64(containerPacked)
			if t == TypeListQuicklist2 {
				c, enc, err := r.length()
				if err != nil {
					return nil, err
				}
				if enc || (c != containerPlain && c != containerPacked) {
					return nil, errors.New("invalid quicklist container")
				}
				container = c
			}
			blob, err := r.str()
			if err != nil {
				return nil, err
			}
			switch {
			case container == containerPlain:
				buf = append(buf[:0], blob...)
				l.Push(list.Tail, buf)
			case t == TypeListQuicklist:
				// Redis skips empty nodes silently.
				if _, err := zlEach(blob, push); err != nil {
					return nil, err
				}
			default:
				if _, err := lpEach(blob, push); err != nil {
					return nil, err
				}
			}
		}
	}
	if l.Len() == 0 {
		return nil, errEmpty
	}
	return l, nil
}

func (r *reader) set(t byte, lim Limits) (*set.Set, error) {
	s := &set.Set{}
	var buf []byte
	switch t {
	case TypeSet:
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		for range n {
			m, err := r.str()
			if err != nil {
				return nil, err
			}
			if !s.Add(m, lim.SetMaxIntsetEntries) {
				return nil, errDup
			}
		}
	case TypeSetIntset:
		blob, err := r.str()
		if err != nil {
			return nil, err
		}
		if _, err := intsetEach(blob, func(v int64) error {
			buf = strconv.AppendInt(buf[:0], v, 10)
			s.Add(buf, lim.SetMaxIntsetEntries)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if s.Len() == 0 {
		return nil, errEmpty
	}
	return s, nil
}

// pairs feeds the elements of a listpack or ziplist to fn two by two.
func pairs(each func([]byte, func(item) error) (int, error), blob []byte, fn func(a, b item) error) error {
	var first item
	odd := false
	_, err := each(blob, func(it item) error {
		if !odd {
			first, odd = it, true
			return nil
		}
		odd = false
		return fn(first, it)
	})
	if err != nil {
		return err
	}
	if odd {
		return errOdd
	}
	return nil
}

func (r *reader) hash(t byte, lim Limits) (*hash.Hash, error) {
	h := &hash.Hash{}
	var fb, vb []byte
	hl := lim.Hash
	add := func(f, v []byte) error {
		if !h.Set(f, v, hl) {
			return errDup
		}
		return nil
	}
	addItems := func(f, v item) error {
		fb = f.appendTo(fb[:0])
		vb = v.appendTo(vb[:0])
		return add(fb, vb)
	}
	switch t {
	case TypeHash:
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		for range n {
			f, err := r.str()
			if err != nil {
				return nil, err
			}
			v, err := r.str()
			if err != nil {
				return nil, err
			}
			if err := add(f, v); err != nil {
				return nil, err
			}
		}
	case TypeHashZipmap:
		blob, err := r.str()
		if err != nil {
			return nil, err
		}
		if _, err := zipmapEach(blob, add); err != nil {
			return nil, err
		}
	case TypeHashZiplist, TypeHashListpack:
		blob, err := r.str()
		if err != nil {
			return nil, err
		}
		// Redis converts a loaded listpack only when it has too many
		// entries, whatever the length of its values (rdbLoadObject).
		hl.MaxListpackValue = math.MaxInt
		each := lpEach
		if t == TypeHashZiplist {
			each = zlEach
		}
		if err := pairs(each, blob, addItems); err != nil {
			return nil, err
		}
	}
	if h.Len() == 0 {
		return nil, errEmpty
	}
	return h, nil
}

func (r *reader) zset(t byte, lim Limits) (*zset.ZSet, error) {
	z := zset.New(lim.ZSet, 0, 0)
	zl := lim.ZSet
	add := func(m []byte, sc float64) error {
		if math.IsNaN(sc) {
			return errScore
		}
		if _, ok := z.Score(m); ok {
			return errDup
		}
		z.Insert(m, sc, zl)
		return nil
	}
	switch t {
	case TypeZSet, TypeZSet2:
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		for range n {
			m, err := r.str()
			if err != nil {
				return nil, err
			}
			var sc float64
			if t == TypeZSet2 {
				b, err := r.take(8)
				if err != nil {
					return nil, err
				}
				sc = math.Float64frombits(binary.LittleEndian.Uint64(b))
			} else if sc, err = r.double(); err != nil {
				return nil, err
			}
			if err := add(m, sc); err != nil {
				return nil, err
			}
		}
	case TypeZSetZiplist, TypeZSetListpack:
		blob, err := r.str()
		if err != nil {
			return nil, err
		}
		// As for hashes: only the entry count converts a loaded listpack.
		zl.MaxListpackValue = math.MaxInt
		each := lpEach
		if t == TypeZSetZiplist {
			each = zlEach
		}
		var mb []byte
		if err := pairs(each, blob, func(m, s item) error {
			sc := float64(s.v)
			if !s.isInt {
				var err error
				if sc, err = parseScore(s.s); err != nil {
					return err
				}
			}
			mb = m.appendTo(mb[:0])
			return add(mb, sc)
		}); err != nil {
			return nil, err
		}
	}
	if z.Len() == 0 {
		return nil, errEmpty
	}
	return z, nil
}

// DecodeFunctions reads the library codes of a verified FUNCTION DUMP
// payload (functionRestoreCommand's loop: entries are read until only the
// 10 footer bytes remain). Errors carry Redis's reply texts without the
// "ERR " prefix.
func DecodeFunctions(p []byte) ([][]byte, error) {
	r := reader{b: p}
	var codes [][]byte
	for len(p)-r.p > 10 {
		t, err := r.byte()
		if err != nil {
			return nil, errors.New("can not read data type")
		}
		switch t {
		case OpFunction2:
			code, err := r.str()
			if err != nil {
				return nil, errors.New("Failed loading library payload")
			}
			codes = append(codes, code)
		case OpFunction:
			code, err := r.oldFunction()
			if err != nil {
				return nil, err
			}
			codes = append(codes, code)
		default:
			return nil, errors.New("given type is not a function")
		}
	}
	return codes, nil
}

// oldFunction reads the RDB_OPCODE_FUNCTION form of Redis 7.0 release
// candidates (name, engine, optional description, code) and rebuilds the
// "#!engine name=name\n" payload as rdbFunctionLoad does.
func (r *reader) oldFunction() ([]byte, error) {
	name, err := r.str()
	if err != nil {
		return nil, errors.New("Failed loading library name")
	}
	engine, err := r.str()
	if err != nil {
		return nil, errors.New("Failed loading engine name")
	}
	hasDesc, enc, err := r.length()
	if err != nil || enc {
		return nil, errors.New("Failed loading library description indicator")
	}
	if hasDesc != 0 {
		if _, err := r.str(); err != nil {
			return nil, errors.New("Failed loading library description")
		}
	}
	blob, err := r.str()
	if err != nil {
		return nil, errors.New("Failed loading library blob")
	}
	out := append([]byte("#!"), engine...)
	out = append(out, " name="...)
	out = append(out, name...)
	out = append(out, '\n')
	return append(out, blob...), nil
}
