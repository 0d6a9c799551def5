package diff

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of the string and bit commands (Redis's t_string.c
// and bitops.c): a fixed list of edge cases, then a seeded random stream
// of commands with good and bad arguments, wrong types and expire
// options, sent to redis-server and Cinnabar, replies compared byte for
// byte. Expire times are absolute (PXAT/EXAT, past or far future) so the
// two servers agree without sleeping; relative EX/PX go only to the
// "rel:" keys, whose expire times are never read.

// strEdgeCases are commands both servers must answer alike, in order.
var strEdgeCases = [][]string{
	{"SET", "s", "hello"},
	{"RPUSH", "lst", "a"},
	{"SET", "s", "v", "NX", "XX"},
	{"SET", "s", "v", "EX", "10", "PX", "10"},
	{"SET", "s", "v", "KEEPTTL", "PXAT", "1"},
	{"SET", "s", "v", "EX"},
	{"SET", "s", "v", "EX", "0"},
	{"SET", "s", "v", "EX", "-1"},
	{"SET", "s", "v", "EX", "x"},
	{"SET", "s", "v", "EX", "9223372036854776"},
	{"SET", "s", "v", "PX", "9223372036854775807"},
	{"SET", "s", "v", "PERSIST"},
	{"SET", "lst", "v", "GET"},
	{"SET", "lst", "v", "NX", "GET"},
	{"SET", "s", "v2", "NX", "GET"},
	{"SET", "s", "v3", "XX", "GET", "PXAT", "4102444800000"},
	{"PEXPIRETIME", "s"},
	{"SET", "s", "v4", "KEEPTTL"},
	{"PEXPIRETIME", "s"},
	{"SET", "s", "v5", "PXAT", "1"},
	{"GET", "s"},
	{"SETEX", "s", "0", "v"},
	{"PSETEX", "s", "x", "v"},
	{"SETNX", "lst", "v"},
	{"GETSET", "lst", "v"},
	{"GETDEL", "lst"},
	{"GETEX", "nokey", "EX", "0"},
	{"GETEX", "lst", "EX", "0"},
	{"SET", "g", "v"},
	{"GETEX", "g", "EX", "0"},
	{"GETEX", "g", "PERSIST", "EX", "1"},
	{"GETEX", "g", "KEEPTTL"},
	{"GETEX", "g", "EXAT", "4102444800"},
	{"EXPIRETIME", "g"},
	{"GETEX", "g", "PERSIST"},
	{"EXPIRETIME", "g"},
	{"GETEX", "g", "PXAT", "1000"},
	{"GET", "g"},
	{"MSET", "a", "1", "b"},
	{"MSETNX", "a", "1", "b"},
	{"MSET", "a", "1", "b", "2"},
	{"MSETNX", "c", "1", "a", "2"},
	{"MSETNX", "c", "1", "c", "2"},
	{"MGET", "a", "b", "c", "lst", "nokey"},
	{"APPEND", "lst", "x"},
	{"SETRANGE", "s", "-1", "x"},
	{"SETRANGE", "s", "536870912", "x"},
	{"SETRANGE", "s", "9223372036854775807", "x"},
	{"SETRANGE", "nokey", "10", ""},
	{"GETRANGE", "s", "0", "4294967297"},
	{"GETRANGE", "s", "x", "1"},
	{"INCR", "lst"},
	{"SET", "i", "9223372036854775807"},
	{"INCR", "i"},
	{"DECRBY", "i", "-9223372036854775808"},
	{"SET", "i", " 1"},
	{"INCR", "i"},
	{"SET", "f", "10.5"},
	{"INCRBYFLOAT", "f", "0.1"},
	{"INCRBYFLOAT", "f", "1e400"},
	{"INCRBYFLOAT", "f", "1e5000"},
	{"INCRBYFLOAT", "f", "inf"},
	{"INCRBYFLOAT", "f", "nan"},
	{"INCRBYFLOAT", "f", "0x1.8p1"},
	{"INCRBYFLOAT", "f", " 1"},
	{"SET", "f", "1\x002"},
	{"INCRBYFLOAT", "f", "1"},
	{"LCS", "a", "lst"},
	{"LCS", "a", "b", "LEN", "IDX"},
	{"LCS", "a", "b", "MINMATCHLEN"},
	{"SETBIT", "bm", "4294967296", "1"},
	{"SETBIT", "bm", "-1", "1"},
	{"SETBIT", "bm", "7", "2"},
	{"GETBIT", "bm", "4294967296"},
	{"BITCOUNT", "s", "0"},
	{"BITCOUNT", "s", "-1", "-5", "junk"},
	{"BITCOUNT", "s", "0", "-1", "junk"},
	{"BITPOS", "s", "2"},
	{"BITPOS", "s", "1", "0", "-1", "junk"},
	{"BITPOS", "nokey", "0"},
	{"BITOP", "NOT", "d", "a", "b"},
	{"BITOP", "NAND", "d", "a"},
	{"BITOP", "AND", "d", "a", "lst"},
	{"BITFIELD", "bf", "GET", "u64", "0"},
	{"BITFIELD", "bf", "GET", "i8", "#-1"},
	{"BITFIELD", "bf", "OVERFLOW", "junk"},
	{"BITFIELD", "bf", "SET", "i8", "0"},
	{"BITFIELD", "lst"},
	{"BITFIELD_RO", "bf", "INCRBY", "i8", "0", "1"},
	{"BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "5"},
	{"GET", "bf"},
}

func TestStringsEdgeCases(t *testing.T) {
	h := Start(t)
	for _, args := range strEdgeCases {
		h.Do(t, args...)
	}
	h.Both(t, "HELLO", "3")
	for _, args := range strEdgeCases {
		h.Do(t, args...)
	}
}

// strGen generates random string and bit commands.
type strGen struct {
	r *rand.Rand
}

var (
	strKeys   = []string{"k0", "k1", "k2", "k3", "k4", "k5", "lst", "nokey"}
	strRel    = []string{"rel:0", "rel:1"}
	strValues = []string{"", "0", "1", "-1", "12", "123456789", "9223372036854775807",
		"-9223372036854775808", "9223372036854775808", " 1", "1 ", "+1", "01", "1.5", "10.5",
		"-0.1", "1e3", "0x1p3", "inf", "nan", "abc", "hello world", "\x00\xff\x01", "a\r\nb",
		"foobar", "\xff\xff\xff\xff", "\x00\x00"}
	strFloats = []string{"0.1", "-0.1", "1e10", "3.0", "-1.5e-3", "1e400", "-1e400", "abc", "",
		"inf", "-inf", "nan", "1.0000000000000001", "0x10", "5.", ".5", "1e", "7", "-7",
		"123456789.123456789", "1e-20"}
	strInts = []string{"0", "1", "-1", "5", "-5", "100", "-100", "9223372036854775807",
		"-9223372036854775808", "9223372036854775808", "x", "", "1.5", " 1"}
	strUnits = []string{"BIT", "BYTE", "bit", "byte", "junk"}
)

func (g *strGen) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g *strGen) key() string {
	if g.r.IntN(10) == 0 {
		return g.pick(strRel)
	}
	return g.pick(strKeys)
}

// absKey is a key whose expire time may be read: never a "rel:" key.
func (g *strGen) absKey() string { return g.pick(strKeys) }

func (g *strGen) value() string {
	switch g.r.IntN(4) {
	case 0:
		b := make([]byte, g.r.IntN(30))
		for i := range b {
			b[i] = byte(g.r.IntN(256))
		}
		return string(b)
	case 1:
		return strconv.Itoa(g.r.IntN(2000) - 1000)
	}
	return g.pick(strValues)
}

func (g *strGen) num(lo, hi int) string { return strconv.Itoa(lo + g.r.IntN(hi-lo+1)) }

func (g *strGen) intArg() string {
	if g.r.IntN(3) == 0 {
		return g.pick(strInts)
	}
	return g.num(-50, 50)
}

// absExpire returns an absolute expire option: in the past or far ahead.
func (g *strGen) absExpire() []string {
	pastMs := []string{"1", "1000", strconv.FormatInt(time.Now().UnixMilli()-5000, 10)}
	futureMs := []string{"4102444800000", "4102444800123"}
	if g.r.IntN(2) == 0 {
		ms := g.pick(pastMs)
		if g.r.IntN(3) == 0 {
			ms = g.pick(futureMs)
		}
		return []string{"PXAT", ms}
	}
	s := g.pick([]string{"1", "1000", "4102444800", "4102444801"})
	return []string{"EXAT", s}
}

// setOptions returns 0-3 SET or GETEX options, sometimes conflicting or
// malformed; relative expires only when rel.
func (g *strGen) setOptions(forSet, rel bool) []string {
	var out []string
	for n := g.r.IntN(4); n > 0; n-- {
		switch g.r.IntN(9) {
		case 0:
			if forSet {
				out = append(out, g.pick([]string{"NX", "XX", "nx", "xx"}))
			} else {
				out = append(out, "PERSIST")
			}
		case 1:
			out = append(out, g.pick([]string{"GET", "KEEPTTL", "PERSIST", "get"}))
		case 2, 3:
			out = append(out, g.absExpire()...)
		case 4:
			opt := g.pick([]string{"EX", "PX", "EXAT", "PXAT"})
			out = append(out, opt, g.pick([]string{"0", "-1", "x", "9223372036854775807", "9223372036854776"}))
		case 5:
			if rel {
				out = append(out, g.pick([]string{"EX", "PX"}), g.num(100000, 200000))
			}
		case 6:
			out = append(out, g.pick([]string{"EX", "JUNK"})) // missing value / unknown
		default:
		}
	}
	return out
}

// command returns a random command.
func (g *strGen) command() []string {
	r := g.r
	switch r.IntN(36) {
	case 0, 1:
		k := g.key()
		return append([]string{"SET", k, g.value()}, g.setOptions(true, strings.HasPrefix(k, "rel:"))...)
	case 2:
		return []string{"GET", g.key()}
	case 3:
		return []string{"SETNX", g.key(), g.value()}
	case 4:
		k := g.pick(strRel)
		return []string{g.pick([]string{"SETEX", "PSETEX"}), k, g.pick([]string{"100000", "0", "-5", "x"}), g.value()}
	case 5:
		return []string{"GETSET", g.key(), g.value()}
	case 6:
		return []string{"GETDEL", g.key()}
	case 7:
		k := g.key()
		return append([]string{"GETEX", k}, g.setOptions(false, strings.HasPrefix(k, "rel:"))...)
	case 8:
		args := []string{"MGET"}
		for n := 1 + r.IntN(4); n > 0; n-- {
			args = append(args, g.key())
		}
		return args
	case 9:
		args := []string{g.pick([]string{"MSET", "MSETNX"})}
		for n := 1 + r.IntN(3); n > 0; n-- {
			args = append(args, g.key(), g.value())
		}
		if r.IntN(8) == 0 {
			args = args[:len(args)-1] // odd arity
		}
		return args
	case 10, 11:
		return []string{"APPEND", g.key(), g.value()}
	case 12:
		return []string{"STRLEN", g.key()}
	case 13:
		return []string{g.pick([]string{"GETRANGE", "SUBSTR"}), g.key(), g.intArg(), g.intArg()}
	case 14:
		off := g.num(0, 40)
		if r.IntN(6) == 0 {
			off = g.pick([]string{"-1", "x", "536870912", "9223372036854775807"})
		}
		return []string{"SETRANGE", g.key(), off, g.value()}
	case 15, 16:
		return []string{g.pick([]string{"INCR", "DECR"}), g.key()}
	case 17:
		return []string{g.pick([]string{"INCRBY", "DECRBY"}), g.key(), g.intArg()}
	case 18, 19:
		return []string{"INCRBYFLOAT", g.key(), g.pick(strFloats)}
	case 20:
		args := []string{"LCS", g.key(), g.key()}
		for n := r.IntN(4); n > 0; n-- {
			switch r.IntN(5) {
			case 0:
				args = append(args, "LEN")
			case 1:
				args = append(args, "IDX")
			case 2:
				args = append(args, "WITHMATCHLEN")
			case 3:
				args = append(args, "MINMATCHLEN", g.pick([]string{"0", "1", "2", "4", "-3", "x"}))
			default:
				args = append(args, "JUNK")
			}
		}
		return args
	case 21, 22:
		off := g.num(0, 200)
		if r.IntN(8) == 0 {
			off = g.pick([]string{"-1", "x", "4294967296"})
		}
		return []string{"SETBIT", g.key(), off, g.pick([]string{"0", "1", "1", "2", "x"})}
	case 23:
		off := g.num(0, 250)
		if r.IntN(8) == 0 {
			off = g.pick([]string{"-1", "x", "4294967296"})
		}
		return []string{"GETBIT", g.key(), off}
	case 24, 25:
		args := []string{"BITCOUNT", g.key()}
		switch r.IntN(4) {
		case 1:
			args = append(args, g.intArg())
		case 2:
			args = append(args, g.intArg(), g.intArg())
		case 3:
			args = append(args, g.intArg(), g.intArg(), g.pick(strUnits))
		}
		return args
	case 26, 27:
		args := []string{"BITPOS", g.key(), g.pick([]string{"0", "1", "1", "0", "2", "x"})}
		switch r.IntN(5) {
		case 1:
			args = append(args, g.intArg())
		case 2:
			args = append(args, g.intArg(), g.intArg())
		case 3, 4:
			args = append(args, g.num(-30, 30), g.num(-300, 300), g.pick(strUnits))
		}
		return args
	case 28:
		op := g.pick([]string{"AND", "OR", "XOR", "NOT", "not", "NAND"})
		args := []string{"BITOP", op, g.key()}
		n := 1 + r.IntN(3)
		if op == "NOT" && r.IntN(4) > 0 {
			n = 1
		}
		for ; n > 0; n-- {
			args = append(args, g.key())
		}
		return args
	case 29, 30, 31:
		return g.bitfield()
	case 32:
		return []string{"PEXPIRETIME", g.absKey()}
	case 33:
		return []string{"TYPE", g.key()}
	case 34:
		if r.IntN(4) == 0 {
			return []string{"DEL", g.key()}
		}
		return []string{"EXISTS", g.key()}
	default:
		return []string{"SET", g.absKey(), g.value()}
	}
}

func (g *strGen) bitfield() []string {
	r := g.r
	name := "BITFIELD"
	if r.IntN(5) == 0 {
		name = "BITFIELD_RO"
	}
	args := []string{name, g.key()}
	for n := r.IntN(5); n > 0; n-- {
		typ := func() string {
			if r.IntN(15) == 0 {
				return g.pick([]string{"u64", "i65", "i0", "x8", "I8", ""})
			}
			if r.IntN(2) == 0 {
				return "i" + g.num(1, 64)
			}
			return "u" + g.num(1, 63)
		}
		off := func() string {
			switch r.IntN(10) {
			case 0:
				return "#" + g.num(0, 8)
			case 1:
				return g.pick([]string{"-1", "#-1", "x", "4294967296"})
			}
			return g.num(0, 100)
		}
		val := func() string {
			switch r.IntN(4) {
			case 0:
				return g.pick(strInts)
			case 1:
				return strconv.FormatInt(int64(r.Uint64())>>r.IntN(64), 10)
			}
			return g.num(-300, 300)
		}
		switch r.IntN(6) {
		case 0, 1:
			args = append(args, "GET", typ(), off())
		case 2:
			args = append(args, "SET", typ(), off(), val())
		case 3:
			args = append(args, "INCRBY", typ(), off(), val())
		case 4:
			args = append(args, "OVERFLOW", g.pick([]string{"WRAP", "SAT", "FAIL", "sat", "junk"}))
		default:
			if r.IntN(3) == 0 {
				args = append(args, g.pick([]string{"GET", "SET", "JUNK"}))
			}
		}
	}
	return args
}

func TestStringsRandom(t *testing.T) {
	h := Start(t)
	g := &strGen{r: h.Rand()}
	h.Do(t, "RPUSH", "lst", "a", "b")
	run := func(n int) {
		for i := 0; i < n; i++ {
			args := g.command()
			h.Do(t, args...)
			if t.Failed() {
				t.Fatalf("stopping at command #%d after the first divergence (seed %d)", i, h.Seed)
			}
		}
		for _, k := range append(strKeys, strRel...) {
			h.Do(t, "GET", k)
		}
	}
	run(3000)
	h.Both(t, "HELLO", "3")
	run(1000)
}
