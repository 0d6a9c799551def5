package command_test

import (
	"bufio"
	"errors"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/command"
	"github.com/cinnabar-db/cinnabar/internal/config"
	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/resp"
	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// The string tests are scripts of "COMMAND args => reply" lines run
// against an in-process server over raw RESP. Arguments are separated by
// spaces; an argument may be a Go-quoted string ("a b", "\x00"). Replies
// are rendered compactly: +OK, -ERR text, :1, "bulk" (Go-quoted), (nil),
// [a, b] for arrays and {k: v} for RESP3 maps. A line "HELLO 3 => *"
// ignores the reply; "@advance 1500ms" moves the server clock.
//
// Expected replies were checked against redis-server 7.0.15; the
// semantics are those of Redis's t_string.c and bitops.c.

// strConn is a raw RESP connection.
type strConn struct {
	c net.Conn
	r *bufio.Reader
}

func strDial(t *testing.T, s *servertest.Server) *strConn {
	t.Helper()
	c := s.Dial(t)
	return &strConn{c: c, r: bufio.NewReader(c)}
}

// do sends one command and returns its rendered reply.
func (sc *strConn) do(t *testing.T, args ...string) string {
	t.Helper()
	var b []byte
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	_ = sc.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := sc.c.Write(b); err != nil {
		t.Fatalf("write: %v", err)
	}
	r, err := strRender(sc.r)
	if err != nil {
		t.Fatalf("%q: read reply: %v", args, err)
	}
	return r
}

// strRender reads one RESP2/RESP3 reply and renders it.
func strRender(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return "", errors.New("bad reply line " + strconv.Quote(line))
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', '-', ':', ',', '(', '#':
		return line[:len(line)-2], nil
	case '_':
		return "(nil)", nil
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil {
			return "", err
		}
		if n < 0 {
			return "(nil)", nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return strconv.Quote(string(buf[:n])), nil
	case '*', '%', '~':
		n, err := strconv.Atoi(body)
		if err != nil {
			return "", err
		}
		if n < 0 {
			return "(nil)", nil
		}
		open, sep, end := "[", ", ", "]"
		if line[0] == '%' {
			open, end = "{", "}"
			n *= 2
		}
		var sb strings.Builder
		sb.WriteString(open)
		for i := 0; i < n; i++ {
			if i > 0 {
				if line[0] == '%' && i%2 == 1 {
					sb.WriteString(": ")
				} else {
					sb.WriteString(sep)
				}
			}
			e, err := strRender(r)
			if err != nil {
				return "", err
			}
			sb.WriteString(e)
		}
		sb.WriteString(end)
		return sb.String(), nil
	}
	return "", errors.New("unknown reply type " + strconv.Quote(line))
}

// strSplit splits a script command line into arguments.
func strSplit(t *testing.T, line string) []string {
	t.Helper()
	var args []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		if line[0] == '"' {
			q, err := strconv.QuotedPrefix(line)
			if err != nil {
				t.Fatalf("bad quoted argument in %q: %v", line, err)
			}
			a, _ := strconv.Unquote(q)
			args = append(args, a)
			line = line[len(q):]
			continue
		}
		i := strings.IndexByte(line, ' ')
		if i < 0 {
			i = len(line)
		}
		args = append(args, line[:i])
		line = line[i:]
	}
	return args
}

// strRun runs a script (see the top of the file) on a connection.
func strRun(t *testing.T, s *servertest.Server, sc *strConn, script string) {
	t.Helper()
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if d, ok := strings.CutPrefix(line, "@advance "); ok {
			dur, err := time.ParseDuration(d)
			if err != nil {
				t.Fatalf("bad @advance: %v", err)
			}
			s.Clock.Advance(dur)
			continue
		}
		cmd, want, ok := strings.Cut(line, " => ")
		if !ok {
			t.Fatalf("script line without ' => ': %q", line)
		}
		got := sc.do(t, strSplit(t, cmd)...)
		if want != "*" && got != want {
			t.Errorf("%s\n got: %s\nwant: %s", cmd, got, want)
		}
	}
}

// strStart starts a server with a manual clock at a fixed time.
func strStart(t *testing.T, args ...string) (*servertest.Server, *strConn) {
	t.Helper()
	s := servertest.Start(t, args, servertest.WithClock(servertest.NewClock(time.UnixMilli(1700000000000))))
	return s, strDial(t, s)
}

// strSeedList makes key a non-string value (a list, through the
// keyspace, so the test does not depend on the list commands).
func strSeedList(t *testing.T, s *servertest.Server, key string) {
	t.Helper()
	e := s.Engine()
	e.KS.Lock([]int{e.KS.ShardOf([]byte(key))})
	e.KS.DB(0).SetObject([]byte(key), keyspace.TypeList, struct{}{}, keyspace.NoExpire)
	e.KS.Release([]int{e.KS.ShardOf([]byte(key))})
}

// strEncoding returns key's OBJECT ENCODING as the keyspace reports it.
func strEncoding(t *testing.T, s *servertest.Server, key string) string {
	t.Helper()
	e := s.Engine()
	sh := []int{e.KS.ShardOf([]byte(key))}
	e.KS.Lock(sh)
	defer e.KS.Release(sh)
	ent, ok := e.KS.DB(0).Peek([]byte(key))
	if !ok {
		return "none"
	}
	return [...]string{"embstr", "raw", "int", "raw"}[ent.Enc]
}

const wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value"

func TestGetSet(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	strRun(t, s, c, `
		GET nokey => (nil)
		SET k v => +OK
		GET k => "v"
		SET k "" => +OK
		GET k => ""
		SET k "a\x00b\r\n" => +OK
		GET k => "a\x00b\r\n"
		GET list => `+wrongType+`
		SET list v => +OK
		GET list => "v"
		SET k => -ERR wrong number of arguments for 'set' command
		GET => -ERR wrong number of arguments for 'get' command
		GET a b => -ERR wrong number of arguments for 'get' command
	`)
}

// Option conflicts, t_string.c parseExtendedStringArgumentsOrReply and
// the "Extended SET" tests of unit/type/string.
func TestSetOptions(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	strRun(t, s, c, `
		SET k v NX XX => -ERR syntax error
		SET k v XX NX => -ERR syntax error
		SET k v EX 10 PX 100 => -ERR syntax error
		SET k v PX 100 EX 10 => -ERR syntax error
		SET k v EX 10 EXAT 100 => -ERR syntax error
		SET k v PXAT 100 EXAT 100 => -ERR syntax error
		SET k v KEEPTTL EX 10 => -ERR syntax error
		SET k v EX 10 KEEPTTL => -ERR syntax error
		SET k v PERSIST => -ERR syntax error
		SET k v EX => -ERR syntax error
		SET k v FOO => -ERR syntax error
		SET k v EX 10 EX 20 => +OK
		SET k v nx => (nil)
		SET k v2 xx => +OK
		GET k => "v2"
		SET new v xx => (nil)
		GET new => (nil)
		SET new v nX => +OK
		SET k v EX 0 => -ERR invalid expire time in 'set' command
		SET k v PX -1 => -ERR invalid expire time in 'set' command
		SET k v EXAT 0 => -ERR invalid expire time in 'set' command
		SET k v EX 9223372036854776 => -ERR invalid expire time in 'set' command
		SET k v PX 9223372036854775807 => -ERR invalid expire time in 'set' command
		SET k v EX 1x => -ERR value is not an integer or out of range
		SET k v EX " 1" => -ERR value is not an integer or out of range
		GET k => "v2"
	`)
}

// A key expires once the clock is past its expire time (db.c
// keyIsExpired: now > when).
func TestSetExpire(t *testing.T) {
	s, c := strStart(t)
	strRun(t, s, c, `
		SET k v EX 10 => +OK
		@advance 10s
		GET k => "v"
		@advance 1ms
		GET k => (nil)

		SET k v PX 1500 => +OK
		SET k v2 KEEPTTL => +OK
		@advance 1500ms
		GET k => "v2"
		@advance 1ms
		GET k => (nil)

		# without KEEPTTL a SET drops the TTL
		SET k v PX 100 => +OK
		SET k v3 => +OK
		@advance 1s
		GET k => "v3"

		SETEX k 5 v => +OK
		@advance 5s
		GET k => "v"
		@advance 1ms
		GET k => (nil)
		PSETEX k 5 v => +OK
		@advance 6ms
		GET k => (nil)
		SETEX k 0 v => -ERR invalid expire time in 'setex' command
		PSETEX k -5 v => -ERR invalid expire time in 'psetex' command
		SETEX k x v => -ERR value is not an integer or out of range
	`)
}

// EXAT/PXAT take absolute unix times; one already past leaves a key that
// is never served (t_string.c setGenericCommand sets the expire as is).
func TestSetExpireAt(t *testing.T) {
	s, c := strStart(t) // the clock starts at 1700000000000 ms
	strRun(t, s, c, `
		SET k v PXAT 1700000002000 => +OK
		SET k2 v EXAT 1700000003 => +OK
		@advance 2000ms
		GET k => "v"
		@advance 1ms
		GET k => (nil)
		GET k2 => "v"
		@advance 1000ms
		GET k2 => (nil)
		SET k v PXAT 1 => +OK
		GET k => (nil)
		SET k v EXAT 1 GET => (nil)
		GET k => (nil)
	`)
}

// SET ... GET, unit/type/string "Extended SET GET option" tests.
func TestSetGet(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	strRun(t, s, c, `
		SET k v GET => (nil)
		SET k v2 GET => "v"
		SET k 123 GET => "v2"
		SET k v3 GET GET => "123"
		SET k x XX GET => "v3"
		SET nokey x XX GET => (nil)
		GET nokey => (nil)
		SET k y NX GET => "x"
		GET k => "x"
		SET k2 y NX GET => (nil)
		GET k2 => "y"
		SET list v GET => `+wrongType+`
		SET list v GET EX 0 => -ERR invalid expire time in 'set' command
		SET k v GET EX 10 => "x"
	`)
}

func TestSetnxGetsetGetdel(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	strRun(t, s, c, `
		SETNX k v => :1
		SETNX k w => :0
		GET k => "v"
		SETNX list v => :0
		GETSET k w => "v"
		GETSET new w => (nil)
		GET new => "w"
		GETSET list w => `+wrongType+`
		SET t v EX 10 => +OK
		GETSET t w => "v"
		@advance 11s
		GET t => "w"
		GETDEL k => "w"
		GETDEL k => (nil)
		GET k => (nil)
		GETDEL list => `+wrongType+`
	`)
}

// GETEX, unit/type/string "GETEX ..." tests.
func TestGetex(t *testing.T) {
	s, c := strStart(t) // the clock starts at 1700000000000 ms
	strSeedList(t, s, "list")
	strRun(t, s, c, `
		GETEX nokey => (nil)
		GETEX nokey EX 0 => (nil)
		GETEX list => `+wrongType+`
		SET k v => +OK
		GETEX k => "v"
		GETEX k EX 0 => -ERR invalid expire time in 'getex' command
		GETEX k PX x => -ERR value is not an integer or out of range
		GETEX k KEEPTTL => -ERR syntax error
		GETEX k PERSIST EX 10 => -ERR syntax error
		GETEX k EX 10 PERSIST => -ERR syntax error
		GETEX k NX => -ERR syntax error
		GETEX k EX => -ERR syntax error
		GETEX k PXAT 1700000001500 => "v"
		GETEX k EXAT 1700000002 => "v"
		@advance 2000ms
		GET k => "v"
		@advance 1ms
		GET k => (nil)
		SET k v => +OK
		GETEX k EX 10 => "v"
		@advance 10s
		GETEX k => "v"
		@advance 1ms
		GET k => (nil)
		SET k v => +OK
		GETEX k PX 100 => "v"
		GETEX k PERSIST => "v"
		@advance 1s
		GET k => "v"
		# an absolute time not in the future deletes the key
		GETEX k EXAT 1 => "v"
		GET k => (nil)
		SET k 42 => +OK
		GETEX k PXAT 1 => "42"
		GETEX k => (nil)
	`)
}

func TestMgetMset(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	strRun(t, s, c, `
		MSET a 1 b 2 c "" => +OK
		MGET a b c nokey list => ["1", "2", "", (nil), (nil)]
		MSET a 1 b => -ERR wrong number of arguments for 'mset' command
		MSET a => -ERR wrong number of arguments for 'mset' command
		MSETNX a 1 b => -ERR wrong number of arguments for 'msetnx' command
		MSETNX x 1 a 2 => :0
		GET x => (nil)
		GET a => "1"
		MSETNX x 1 y 2 => :1
		MGET x y => ["1", "2"]
		MSETNX z 1 z 2 => :1
		GET z => "2"
		MSETNX z 3 z 4 => :0
		MSETNX list 1 => :0
		MSET list v => +OK
		GET list => "v"
		SET t v EX 5 => +OK
		MSET t w => +OK
		@advance 6s
		GET t => "w"
	`)
}

func TestAppendStrlen(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	strRun(t, s, c, `
		APPEND k hello => :5
		APPEND k " world" => :11
		GET k => "hello world"
		STRLEN k => :11
		STRLEN nokey => :0
		STRLEN list => `+wrongType+`
		APPEND list x => `+wrongType+`
		SET n 12345 => +OK
		STRLEN n => :5
		APPEND n 6 => :6
		GET n => "123456"
		INCR n => :123457
		SET n -1 => +OK
		STRLEN n => :2
		APPEND e "" => :0
		GET e => ""
		SET t v EX 5 => +OK
		APPEND t w => :2
		@advance 5001ms
		GET t => (nil)
	`)
	if got := strEncoding(t, s, "k"); got != "raw" {
		t.Errorf("APPEND encoding = %s, want raw", got)
	}
}

func TestGetrange(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	// unit/type/string "GETRANGE against string value" and friends.
	strRun(t, s, c, `
		GETRANGE nokey 0 -1 => ""
		GETRANGE list 0 -1 => `+wrongType+`
		GETRANGE nokey x 1 => -ERR value is not an integer or out of range
		SET k "Hello World" => +OK
		GETRANGE k 0 3 => "Hell"
		GETRANGE k 0 -1 => "Hello World"
		GETRANGE k -4 -1 => "orld"
		GETRANGE k 5 3 => ""
		GETRANGE k 5 5000 => " World"
		GETRANGE k -5000 10000 => "Hello World"
		GETRANGE k -1 -5 => ""
		GETRANGE k 0 4294967297 => "Hello World"
		GETRANGE k 100 200 => ""
		SUBSTR k 0 4 => "Hello"
		SET n 1234 => +OK
		GETRANGE n 0 2 => "123"
		GETRANGE n -1 -1 => "4"
		SET e "" => +OK
		GETRANGE e 0 -1 => ""
		GETRANGE e -1 0 => ""
	`)
}

func TestSetrange(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	strRun(t, s, c, `
		SETRANGE k 0 foo => :3
		GET k => "foo"
		SETRANGE nokey 5 "" => :0
		GET nokey => (nil)
		SETRANGE k2 2 ab => :4
		GET k2 => "\x00\x00ab"
		SETRANGE k 1 xyzw => :5
		GET k => "fxyzw"
		SETRANGE k 0 "" => :5
		SETRANGE k -1 x => -ERR offset is out of range
		SETRANGE k x x => -ERR value is not an integer or out of range
		SETRANGE list 0 x => `+wrongType+`
		SETRANGE k 536870912 x => -ERR string exceeds maximum allowed size (proto-max-bulk-len)
		SETRANGE k 9223372036854775807 x => -ERR string exceeds maximum allowed size (proto-max-bulk-len)
		SETRANGE k 536870912 "" => :5
		SET n 1234 => +OK
		SETRANGE n 1 5 => :4
		GET n => "1534"
		SET t v EX 5 => +OK
		SETRANGE t 1 w => :2
		@advance 5001ms
		GET t => (nil)
	`)
	if got := strEncoding(t, s, "n"); got != "raw" {
		t.Errorf("SETRANGE encoding = %s, want raw", got)
	}
}

// unit/type/incr.
func TestIncrDecr(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	strRun(t, s, c, `
		INCR k => :1
		INCR k => :2
		INCRBY k 10 => :12
		DECR k => :11
		DECRBY k 20 => :-9
		SET k 17179869184 => +OK
		INCRBY k 17179869184 => :34359738368
		SET k " 1" => +OK
		INCR k => -ERR value is not an integer or out of range
		SET k "1 " => +OK
		INCR k => -ERR value is not an integer or out of range
		SET k +1 => +OK
		INCR k => -ERR value is not an integer or out of range
		SET k "" => +OK
		INCR k => -ERR value is not an integer or out of range
		SET k 9223372036854775807 => +OK
		INCR k => -ERR increment or decrement would overflow
		SET k -9223372036854775808 => +OK
		DECR k => -ERR increment or decrement would overflow
		INCRBY k x => -ERR value is not an integer or out of range
		DECRBY k -9223372036854775808 => -ERR decrement would overflow
		SET k 0 => +OK
		DECRBY k -9223372036854775807 => :9223372036854775807
		INCR list => `+wrongType+`
		SET t 1 EX 5 => +OK
		INCR t => :2
		@advance 5001ms
		GET t => (nil)
	`)
	if got := strEncoding(t, s, "k"); got != "int" {
		t.Errorf("INCR encoding = %s, want int", got)
	}
}

// INCRBYFLOAT emulates C long double arithmetic; the expected values
// were produced by redis-server 7.0.15 on x86-64.
func TestIncrbyfloat(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	strRun(t, s, c, `
		INCRBYFLOAT k 10.5 => "10.5"
		INCRBYFLOAT k 0.1 => "10.6"
		SET k 1 => +OK
		INCRBYFLOAT k -1.1 => "-0.1"
		SET k 17179869184 => +OK
		INCRBYFLOAT k 1.5 => "17179869185.5"
		INCRBYFLOAT k 17179869184 => "34359738369.5"
		INCRBYFLOAT z 0.0000000000000000001 => "0"
		INCRBYFLOAT z -0.0000000000000000001 => "0"
		INCRBYFLOAT h 0x1p3 => "8"
		INCRBYFLOAT h 0X.8P1 => "9"
		INCRBYFLOAT h 1e3 => "1009"
		INCRBYFLOAT h 5. => "1014"
		INCRBYFLOAT h .5 => "1014.5"
		INCRBYFLOAT h +1 => "1015.5"
		INCRBYFLOAT b 1e400 => *
		STRLEN b => :401
		INCRBYFLOAT b -1e400 => "0"
		INCRBYFLOAT b 1e4933 => -ERR value is not a valid float
		INCRBYFLOAT b 1e-5000 => -ERR value is not a valid float
		INCRBYFLOAT b 1e4932 => *
		INCRBYFLOAT b 1e4932 => -ERR increment would produce NaN or Infinity
		SET f 3.0000000000000000000000000001 => +OK
		INCRBYFLOAT f 0x1.fffffffffffffffffp0 => "5"
		INCRBYFLOAT f inf => -ERR increment would produce NaN or Infinity
		INCRBYFLOAT f -Infinity => -ERR increment would produce NaN or Infinity
		INCRBYFLOAT f nan => -ERR value is not a valid float
		INCRBYFLOAT f " 1" => -ERR value is not a valid float
		INCRBYFLOAT f "1 " => -ERR value is not a valid float
		INCRBYFLOAT f "" => -ERR value is not a valid float
		INCRBYFLOAT f 1e => -ERR value is not a valid float
		INCRBYFLOAT f 0x => -ERR value is not a valid float
		INCRBYFLOAT f 0x1p => -ERR value is not a valid float
		INCRBYFLOAT f . => -ERR value is not a valid float
		INCRBYFLOAT f 1_0 => -ERR value is not a valid float
		INCRBYFLOAT f "1\x002" => -ERR value is not a valid float
		SET k "1\x002" => +OK
		INCRBYFLOAT k 1 => -ERR value is not a valid float
		SET k inf => +OK
		INCRBYFLOAT k 1 => -ERR increment would produce NaN or Infinity
		INCRBYFLOAT list 1 => `+wrongType+`
		SET t 1.5 PX 100 => +OK
		INCRBYFLOAT t 1 => "2.5"
		@advance 101ms
		GET t => (nil)
		INCRBYFLOAT p 0.1 => "0.1"
		INCRBYFLOAT p 0.2 => "0.3"
		INCRBYFLOAT p 1.0e-17 => "0.30000000000000001"
		INCRBYFLOAT q 123456789012345678 => "123456789012345678"
		INCRBYFLOAT q 0.5 => "123456789012345678.5"
		INCRBYFLOAT r 0.1 => "0.1"
		INCRBYFLOAT r -0.30000000000000004 => "-0.20000000000000004"
	`)
}

// LCS, unit/type/string "LCS ..." tests.
func TestLCS(t *testing.T) {
	s, c := strStart(t)
	strSeedList(t, s, "list")
	const rna1 = "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG"
	const rna2 = "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT"
	const rnalcs = "ACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT"
	strRun(t, s, c, `
		SET v1 `+rna1+` => +OK
		SET v2 `+rna2+` => +OK
		LCS v1 v2 => "`+rnalcs+`"
		LCS v1 v2 LEN => :227
		LCS v1 v2 IDX => ["matches", [[[:238, :238], [:239, :239]], [[:236, :236], [:238, :238]], [[:229, :230], [:236, :237]], [[:224, :224], [:235, :235]], [[:1, :222], [:13, :234]]], "len", :227]
		LCS v1 v2 IDX WITHMATCHLEN MINMATCHLEN 5 => ["matches", [[[:1, :222], [:13, :234], :222]], "len", :227]
		LCS v1 v2 IDX WITHMATCHLEN MINMATCHLEN -5 => *
		LCS v1 v2 LEN IDX => -ERR If you want both the length and indexes, please just use IDX.
		LCS v1 v2 MINMATCHLEN => -ERR syntax error
		LCS v1 v2 MINMATCHLEN x => -ERR value is not an integer or out of range
		LCS v1 v2 FOO => -ERR syntax error
		LCS v1 list => -ERR The specified keys must contain string values
		LCS list nokey FOO => -ERR The specified keys must contain string values
		LCS v1 nokey => ""
		LCS nokey nokey2 IDX => ["matches", [], "len", :0]
		SET n1 12345 => +OK
		SET n2 912 => +OK
		LCS n1 n2 IDX WITHMATCHLEN => ["matches", [[[:0, :1], [:1, :2], :2]], "len", :2]
		HELLO 3 => *
		LCS n1 n2 IDX => {"matches": [[[:0, :1], [:1, :2]]], "len": :2}
	`)
	s2, c2 := strStart(t, "--proto-max-bulk-len", "1mb")
	strRun(t, s2, c2, `
		SET a `+strings.Repeat("a", 511)+` => +OK
		LCS a a LEN => :511
		SET a `+strings.Repeat("a", 512)+` => +OK
		LCS a a LEN => -ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len
	`)
}

func TestKeyspaceStats(t *testing.T) {
	s, c := strStart(t)
	ks := s.Engine().KS
	hits, misses := ks.KeyspaceHits.Load(), ks.KeyspaceMisses.Load()
	strRun(t, s, c, `
		SET a 1 => +OK
		GET a => "1"
		GET b => (nil)
		MGET a b c => ["1", (nil), (nil)]
		INCR a => :2
		SET a 1 GET => "2"
	`)
	// lookupKeyRead counts; SET and INCR use lookupKeyWrite, which does not.
	if h, m := ks.KeyspaceHits.Load()-hits, ks.KeyspaceMisses.Load()-misses; h != 3 || m != 3 {
		t.Errorf("keyspace hits/misses = %d/%d, want 3/3", h, m)
	}
}

func TestSetEncoding(t *testing.T) {
	s, c := strStart(t)
	strRun(t, s, c, `
		SET i 12345 => +OK
		SET e abc => +OK
		SET r `+strings.Repeat("x", 45)+` => +OK
		SET z 0123 => +OK
	`)
	for key, want := range map[string]string{"i": "int", "e": "embstr", "r": "raw", "z": "embstr"} {
		if got := strEncoding(t, s, key); got != want {
			t.Errorf("encoding of %s = %s, want %s", key, got, want)
		}
	}
}

// TestHotPathAllocs checks that GET, SET, INCR, MGET and MSET do not
// allocate once the keyspace holds their keys (the dispatcher's own
// allocations, if any, are measured with PING and subtracted).
func TestHotPathAllocs(t *testing.T) {
	e, err := command.New(command.Options{Shards: 4})
	if err != nil {
		t.Fatal(err)
	}
	cl := e.Clients.New(nil, "127.0.0.1:1", "127.0.0.1:2", 0, time.Now())
	w := resp.NewWriter()
	argv := func(args ...string) [][]byte {
		out := make([][]byte, len(args))
		for i, a := range args {
			out[i] = []byte(a)
		}
		return out
	}
	run := func(args [][]byte) float64 {
		for i := 0; i < 10; i++ { // warm up: keys exist, buffers grown
			w.Reset()
			e.Exec(cl, args, w)
		}
		return testing.AllocsPerRun(200, func() {
			w.Reset()
			e.Exec(cl, args, w)
		})
	}
	base := run(argv("PING"))
	for _, args := range [][]string{
		{"SET", "k", "value"},
		{"SET", "k", "value", "EX", "100"},
		{"GET", "k"},
		{"SET", "n", "12345"},
		{"GET", "n"},
		{"INCR", "n"},
		{"INCRBY", "n", "5"},
		{"MSET", "a", "1", "b", "two"},
		{"MGET", "a", "b", "k", "missing"},
	} {
		if got := run(argv(args...)); got > base {
			t.Errorf("%q: %v allocations per call (PING: %v)", args, got, base)
		}
	}
	if math.IsNaN(base) {
		t.Fatal("no measurement")
	}
}

func BenchmarkStringCommands(b *testing.B) {
	e, err := command.New(command.Options{})
	if err != nil {
		b.Fatal(err)
	}
	cl := e.Clients.New(nil, "127.0.0.1:1", "127.0.0.1:2", 0, time.Now())
	w := resp.NewWriter()
	for _, args := range [][]string{
		{"SET", "k", "value"},
		{"GET", "k"},
		{"INCR", "n"},
		{"MSET", "a", "1", "b", "2"},
		{"MGET", "a", "b"},
	} {
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		b.Run(args[0], func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				w.Reset()
				e.Exec(cl, argv, w)
			}
		})
	}
}

// FuzzStringCommands runs arbitrary arguments through the string and bit
// commands and checks that no handler panics (the dispatcher turns a
// panic into an "internal error" reply). proto-max-bulk-len is small so
// that offsets cannot make huge strings.
func FuzzStringCommands(f *testing.F) {
	cfg, err := config.Load([]string{"--proto-max-bulk-len", "1mb"})
	if err != nil {
		f.Fatal(err)
	}
	e, err := command.New(command.Options{Config: cfg, Shards: 2})
	if err != nil {
		f.Fatal(err)
	}
	cl := e.Clients.New(nil, "127.0.0.1:1", "127.0.0.1:2", 0, time.Now())
	w := resp.NewWriter()
	for _, seed := range []string{
		"SET k 10.5\nINCRBYFLOAT k 0x1p-16445",
		"SETRANGE k 5 abc\nGETRANGE k -3 -1",
		"BITFIELD k OVERFLOW SAT INCRBY i64 #3 -9223372036854775808 GET u63 1",
		"BITPOS k 0 -5 100 BIT",
		"BITCOUNT k 3 -2 BIT",
		"LCS k k IDX WITHMATCHLEN MINMATCHLEN 1",
		"SET k v PXAT 1 GET KEEPTTL",
		"GETEX k EXAT 9223372036854775807",
		"BITOP NOT d k\nSETBIT d 8388607 1",
	} {
		f.Add(seed)
	}
	ours := map[string]bool{}
	for _, name := range strings.Fields("get set setnx setex psetex getset getdel getex mget mset msetnx " +
		"append strlen getrange substr setrange incr decr incrby decrby incrbyfloat lcs " +
		"setbit getbit bitcount bitpos bitop bitfield bitfield_ro") {
		ours[name] = true
	}
	f.Fuzz(func(t *testing.T, script string) {
		for _, line := range strings.Split(script, "\n") {
			fields := strings.Fields(line)
			if len(fields) == 0 || !ours[strings.ToLower(fields[0])] {
				continue // only the string commands: no DEBUG SLEEP, SHUTDOWN...
			}
			argv := make([][]byte, len(fields))
			for i, a := range fields {
				argv[i] = []byte(a)
			}
			w.Reset()
			e.Exec(cl, argv, w)
			if strings.Contains(string(w.Buf), "internal error") {
				t.Fatalf("%q: %q", line, w.Buf)
			}
		}
	})
}
