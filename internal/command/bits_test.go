package command_test

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// Bit command tests (Redis's bitops.c; unit/bitops and unit/bitfield).
// The script format is described in strings_test.go; expected replies
// were checked against redis-server 7.0.15.

func TestSetbitGetbit(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	strRun(t, s, c, `
		SETBIT k 1 1 => :0
		GET k => "@"
		SETBIT k 1 1 => :1
		SETBIT k 1 0 => :1
		SETBIT k 100 1 => :0
		STRLEN k => :13
		GETBIT k 100 => :1
		GETBIT k 99 => :0
		GETBIT k 1000000 => :0
		GETBIT nokey 5 => :0
		GETBIT list 0 => `+wrongType+`
		SETBIT list 0 1 => `+wrongType+`
		SETBIT k -1 1 => -ERR bit offset is not an integer or out of range
		SETBIT k 4294967296 1 => -ERR bit offset is not an integer or out of range
		SETBIT k x 1 => -ERR bit offset is not an integer or out of range
		GETBIT k -1 => -ERR bit offset is not an integer or out of range
		GETBIT k 4294967296 => -ERR bit offset is not an integer or out of range
		SETBIT k 1 2 => -ERR bit is not an integer or out of range
		SETBIT k 1 -1 => -ERR bit is not an integer or out of range
		SETBIT k 1 x => -ERR bit is not an integer or out of range
		# an integer-encoded value is its decimal digits
		SET n 12 => +OK
		GETBIT n 2 => :1
		GETBIT n 3 => :1
		GETBIT n 4 => :0
		SETBIT n 6 1 => :0
		GET n => "32"
		SET t v EX 5 => +OK
		SETBIT t 100 1 => :0
		@advance 5001ms
		GET t => (nil)
	`)
	if got := strEncoding(t, s, "n"); got != "raw" {
		t.Errorf("SETBIT encoding = %s, want raw", got)
	}
	// A SETBIT that changes nothing still unshares an int value into a
	// raw string (dbUnshareStringValue).
	strRun(t, s, c, `
		SET m 1 => +OK
		SETBIT m 0 0 => :0
		GET m => "1"
	`)
	if got := strEncoding(t, s, "m"); got != "raw" {
		t.Errorf("no-op SETBIT encoding = %s, want raw", got)
	}
}

func TestBitcount(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	strRun(t, s, c, `
		BITCOUNT nokey => :0
		BITCOUNT nokey 0 => :0
		BITCOUNT list => `+wrongType+`
		SET s foobar => +OK
		BITCOUNT s => :26
		BITCOUNT s 0 0 => :4
		BITCOUNT s 1 1 => :6
		BITCOUNT s 1 1 BYTE => :6
		BITCOUNT s 5 30 BIT => :17
		BITCOUNT s 7 7 bit => :0
		BITCOUNT s 1 1 bit => :1
		BITCOUNT s -1 -1 => :4
		BITCOUNT s -5 -1 bit => :2
		BITCOUNT s 100 200 => :0
		BITCOUNT s -100 200 => :26
		BITCOUNT s 5 2 => :0
		BITCOUNT s -1 -5 foo => :0
		BITCOUNT s 0 1 foo => -ERR syntax error
		BITCOUNT s 0 => -ERR syntax error
		BITCOUNT s 0 1 bit x => -ERR syntax error
		BITCOUNT s a 1 => -ERR value is not an integer or out of range
		BITCOUNT s 0 a => -ERR value is not an integer or out of range
		SET e "" => +OK
		BITCOUNT e => :0
		BITCOUNT e 0 -1 => :0
		SET n 1234 => +OK
		BITCOUNT n => :13
	`)
}

func TestBitpos(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	strRun(t, s, c, `
		BITPOS nokey 0 => :0
		BITPOS nokey 1 => :-1
		BITPOS nokey 1 x => :-1
		BITPOS nokey 2 => -ERR The bit argument must be 1 or 0.
		BITPOS nokey x => -ERR value is not an integer or out of range
		BITPOS list 0 => `+wrongType+`
		SET s "\x00\xff\xf0" => +OK
		BITPOS s 1 => :8
		BITPOS s 0 => :0
		BITPOS s 1 2 => :16
		BITPOS s 1 2 -1 => :16
		BITPOS s 0 1 => :20
		BITPOS s 0 1 -1 => :20
		BITPOS s 1 7 15 bit => :8
		BITPOS s 0 8 19 bit => :-1
		BITPOS s 0 8 20 bit => :20
		BITPOS s 1 3 1 bit => :-1
		BITPOS s 1 100 => :-1
		BITPOS s 0 100 => :-1
		BITPOS s 0 1 2 foo => -ERR syntax error
		BITPOS s 0 1 x => -ERR value is not an integer or out of range
		BITPOS s 0 x => -ERR value is not an integer or out of range
		BITPOS s 0 1 2 3 4 => -ERR syntax error
		SET ff "\xff\xff\xff" => +OK
		# without an end, the string is taken as padded with zeros
		BITPOS ff 0 => :24
		BITPOS ff 0 1 => :24
		BITPOS ff 0 0 -1 => :-1
		BITPOS ff 0 3 20 bit => :-1
		BITPOS ff 1 3 20 bit => :3
		SET z "\x00\x00" => +OK
		BITPOS z 1 => :-1
		SET e "" => +OK
		BITPOS e 0 => :-1
		BITPOS e 1 => :-1
		BITPOS e 0 0 => :-1
	`)
}

func TestBitop(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	strRun(t, s, c, `
		SET a "\xff\x0f\xf0" => +OK
		SET b "\x0f\xff" => +OK
		BITOP AND d a b => :3
		GET d => "\x0f\x0f\x00"
		BITOP OR d a b nokey => :3
		GET d => "\xff\xff\xf0"
		BITOP XOR d a b => :3
		GET d => "\xf0\xf0\xf0"
		BITOP NOT d b => :2
		GET d => "\xf0\x00"
		BITOP NOT d a b => -ERR BITOP NOT must be called with a single source key.
		BITOP NOT d => -ERR wrong number of arguments for 'bitop' command
		BITOP FOO d a => -ERR syntax error
		BITOP AND d a list => `+wrongType+`
		SET n 12 => +OK
		BITOP OR d n => :2
		GET d => "12"
		BITOP AND a a b => :3
		GET a => "\x0f\x0f\x00"
		# all sources empty: the destination is deleted
		SET d x EX 100 => +OK
		BITOP AND d nokey nokey2 => :0
		GET d => (nil)
		SET d x EX 5 => +OK
		BITOP OR d b => :2
		@advance 6s
		GET d => "\x0f\xff"
	`)
}

func TestBitfield(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	// unit/bitfield "BITFIELD signed SET and GET basics" and friends.
	strRun(t, s, c, `
		BITFIELD bf SET i8 0 -100 => [:0]
		BITFIELD bf SET i8 0 101 => [:-100]
		BITFIELD bf GET i8 0 => [:101]
		BITFIELD bf SET u8 0 255 GET u8 0 => [:101, :255]
		BITFIELD bf SET u8 0 100 GET u8 0 INCRBY u8 0 100 => [:255, :100, :200]
		BITFIELD bf OVERFLOW SAT INCRBY u8 0 100 OVERFLOW FAIL INCRBY u8 0 1 GET u8 0 => [:255, (nil), :255]
		BITFIELD bf OVERFLOW WRAP INCRBY u2 102 1 INCRBY u2 102 1 INCRBY u2 102 1 INCRBY u2 102 1 => [:1, :2, :3, :0]
		BITFIELD bf OVERFLOW WRAP INCRBY i8 0 100 => [:99]
		BITFIELD bf SET i8 #0 1 SET i8 #1 2 GET i8 #0 GET i8 #1 GET u16 0 => [:99, :0, :1, :2, :258]
		BITFIELD bf OVERFLOW SAT SET i8 0 -9223372036854775808 GET i8 0 => [:1, :127]
		BITFIELD bf OVERFLOW SAT SET i8 0 -300 SET i8 0 300 SET u8 0 300 OVERFLOW WRAP SET u8 0 300 SET i8 0 200 => [:127, :-128, :127, :255, :44]
		BITFIELD bf OVERFLOW WRAP SET i64 0 -9223372036854775808 INCRBY i64 0 -1 OVERFLOW SAT INCRBY i64 0 -1 INCRBY i64 0 9223372036854775807 INCRBY i64 0 9223372036854775807 => [:-4034662316170543104, :9223372036854775807, :9223372036854775806, :9223372036854775807, :9223372036854775807]
		BITFIELD bf OVERFLOW SAT SET u63 0 9223372036854775807 INCRBY u63 0 1 INCRBY u3 0 -9 => [:4611686018427387903, :9223372036854775807, :0]
		BITFIELD bf GET u64 0 => -ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.
		BITFIELD bf GET i65 0 => -ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.
		BITFIELD bf GET i0 0 => -ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.
		BITFIELD bf GET I8 0 => -ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.
		BITFIELD bf GET i8 -1 => -ERR bit offset is not an integer or out of range
		BITFIELD bf GET i8 #-1 => -ERR bit offset is not an integer or out of range
		BITFIELD bf GET u8 4294967296 => -ERR bit offset is not an integer or out of range
		BITFIELD bf GET u8 #536870912 => -ERR bit offset is not an integer or out of range
		BITFIELD bf GET i64 #9223372036854775807 => -ERR bit offset is not an integer or out of range
		BITFIELD bf GET u8 #536870911 => [:0]
		BITFIELD bf SET i8 0 => -ERR syntax error
		BITFIELD bf SET i8 0 x => -ERR value is not an integer or out of range
		BITFIELD bf OVERFLOW foo GET i8 0 => -ERR Invalid OVERFLOW type specified
		BITFIELD bf OVERFLOW => -ERR syntax error
		BITFIELD bf FOO => -ERR syntax error
		BITFIELD bf => []
		BITFIELD nokey => []
		BITFIELD nokey GET u8 100 => [:0]
		BITFIELD list GET u8 0 => `+wrongType+`
		BITFIELD list => `+wrongType+`
		BITFIELD list SET u8 0 1 => `+wrongType+`
		# a failing write still creates the (zero-padded) key
		BITFIELD nk OVERFLOW FAIL INCRBY u2 100 5 => [(nil)]
		GET nk => "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		SET n 1234 => +OK
		BITFIELD n GET u8 0 SET u8 0 65 => [:49, :49]
		GET n => "A234"
		BITFIELD_RO bf GET u16 0 => [:8191]
		BITFIELD_RO bf => []
		BITFIELD_RO bf GET i8 0 SET i8 0 1 => -ERR BITFIELD_RO only supports the GET subcommand
		BITFIELD_RO bf GET x 0 INCRBY i8 0 1 => -ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.
		BITFIELD_RO list GET i8 0 => `+wrongType+`
	`)
}

// TestBitfieldOverflowFuzz checks INCRBY against arbitrary-precision
// arithmetic, as unit/bitfield "BITFIELD overflow detection fuzzing" and
// "overflow wrap fuzzing" do.
func TestBitfieldOverflowFuzz(t *testing.T) {
	_, c := strStart(t)
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 1))
	for i := 0; i < 300; i++ {
		signed := rnd.IntN(2) == 0
		var width int
		if signed {
			width = 1 + rnd.IntN(64)
		} else {
			width = 1 + rnd.IntN(63)
		}
		var lo, hi float64 // the representable range, as floats for simplicity
		typ := "u"
		if signed {
			typ = "i"
			lo, hi = -pow2(width-1), pow2(width-1)-1
		} else {
			hi = pow2(width) - 1
		}
		typ += strconv.Itoa(width)
		start := int64(rnd.Uint64() >> (64 - width))
		if signed {
			start = int64(rnd.Uint64()) >> (64 - width) // sign-extended
		}
		incr := int64(rnd.Uint64()) >> rnd.IntN(64)
		mode := [...]string{"SAT", "FAIL", "WRAP"}[rnd.IntN(3)]
		got := c.do(t, "BITFIELD", "fz", "SET", typ, "0", strconv.FormatInt(start, 10),
			"OVERFLOW", mode, "INCRBY", typ, "0", strconv.FormatInt(incr, 10), "GET", typ, "0")
		exact := float64(start) + float64(incr)
		parts := strings.Split(strings.Trim(got, "[]"), ", ")
		if len(parts) != 3 {
			t.Fatalf("%s %d+%d %s: reply %s", typ, start, incr, mode, got)
		}
		res, final := parts[1], parts[2]
		overflow := exact < lo || exact > hi
		switch {
		case !overflow:
			// Far from the edges floats are exact enough to check the sum.
			if want := ":" + strconv.FormatInt(start+incr, 10); res != want && width < 53 {
				t.Errorf("%s %d+%d %s: %s, want %s", typ, start, incr, mode, res, want)
			}
		case mode == "FAIL":
			if res != "(nil)" || final != ":"+strconv.FormatInt(start, 10) {
				t.Errorf("%s %d+%d FAIL: %s, field %s", typ, start, incr, res, final)
			}
		case mode == "SAT":
			want := hi
			if exact < lo {
				want = lo
			}
			if res != ":"+strconv.FormatFloat(want, 'f', -1, 64) && width < 53 {
				t.Errorf("%s %d+%d SAT: %s, want %v", typ, start, incr, res, want)
			}
		}
		if res != "(nil)" && res != final {
			t.Errorf("%s %d+%d %s: INCRBY %s but GET %s", typ, start, incr, mode, res, final)
		}
	}
}

func pow2(n int) float64 {
	f := 1.0
	for ; n > 0; n-- {
		f *= 2
	}
	return f
}

// TestBitposBitcountFuzz compares BITPOS and BITCOUNT over random ranges
// with a bit-by-bit model (unit/bitops "BITPOS/BITCOUNT fuzzy testing
// using SETBIT").
func TestBitposBitcountFuzz(t *testing.T) {
	_, c := strStart(t)
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 2))
	for round := 0; round < 20; round++ {
		n := rnd.IntN(40)
		buf := make([]byte, n)
		for i := range buf {
			switch rnd.IntN(3) {
			case 0:
				buf[i] = 0
			case 1:
				buf[i] = 0xff
			default:
				buf[i] = byte(rnd.IntN(256))
			}
		}
		c.do(t, "SET", "f", string(buf))
		bit := func(i int) int { return int(buf[i/8]>>(7-i%8)) & 1 }
		for q := 0; q < 40; q++ {
			total := n * 8
			start := rnd.IntN(total+4) - 2
			end := rnd.IntN(total+4) - 2
			// model: clamp as Redis does (non-negative indexes only here)
			from, to := max(start, 0), min(end, total-1)
			count, first := 0, [2]int{-1, -1}
			for i := from; i <= to; i++ {
				if first[bit(i)] < 0 {
					first[bit(i)] = i
				}
				count += bit(i)
			}
			if start < 0 || end < 0 {
				continue // negative indexes are covered by the scripted tests
			}
			s1, s2 := strconv.Itoa(start), strconv.Itoa(end)
			if got, want := c.do(t, "BITCOUNT", "f", s1, s2, "BIT"), ":"+strconv.Itoa(count); got != want {
				t.Errorf("%x BITCOUNT %d %d BIT = %s, want %s", buf, start, end, got, want)
			}
			for b := 0; b < 2; b++ {
				if got, want := c.do(t, "BITPOS", "f", strconv.Itoa(b), s1, s2, "BIT"), ":"+strconv.Itoa(first[b]); got != want {
					t.Errorf("%x BITPOS %d %d %d BIT = %s, want %s", buf, b, start, end, got, want)
				}
			}
		}
	}
}
