package command_test

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// Black-box tests of the list commands. Expected replies are Redis 7.0.15's
// (src/t_list.c, checked against redis-server 7.0.15), written as raw RESP.

// listConn is a raw RESP connection to a test server.
type listConn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialList(t *testing.T) *listConn {
	t.Helper()
	s := servertest.Start(t, nil)
	c := s.Dial(t)
	return &listConn{t: t, c: c, r: bufio.NewReader(c)}
}

// do sends one command and returns its raw reply.
func (rc *listConn) do(args ...string) string {
	rc.t.Helper()
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
	_ = rc.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := rc.c.Write(b); err != nil {
		rc.t.Fatalf("write: %v", err)
	}
	var out []byte
	if err := listReadRaw(rc.r, &out); err != nil {
		rc.t.Fatalf("%q: read reply: %v", args, err)
	}
	return string(out)
}

func listReadRaw(r *bufio.Reader, out *[]byte) error {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return err
	}
	*out = append(*out, line...)
	body := strings.TrimSuffix(string(line[1:]), "\r\n")
	switch line[0] {
	case '$', '=', '!':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		*out = append(*out, buf...)
	case '*', '~', '>', '%':
		n, _ := strconv.Atoi(body)
		if line[0] == '%' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := listReadRaw(r, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// listStep is one command and its expected raw reply.
type listStep struct {
	args []string
	want string
}

func listRun(t *testing.T, rc *listConn, steps []listStep) {
	t.Helper()
	for _, s := range steps {
		if got := rc.do(s.args...); s.want != lAny && got != s.want {
			t.Errorf("%q:\n got  %q\n want %q", s.args, got, s.want)
		}
	}
}

func lc(s string) []string { return strings.Fields(s) }

func lBulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }
func lInt(n int) string     { return ":" + strconv.Itoa(n) + "\r\n" }
func lErr(s string) string  { return "-" + s + "\r\n" }
func lArr(items ...string) string {
	return "*" + strconv.Itoa(len(items)) + "\r\n" + strings.Join(items, "")
}
func lBulks(items ...string) string {
	b := make([]string, len(items))
	for i, s := range items {
		b[i] = lBulk(s)
	}
	return lArr(b...)
}

const (
	lOK        = "+OK\r\n"
	lNull      = "$-1\r\n"
	lNullArray = "*-1\r\n"
	lNull3     = "_\r\n"
	lEmpty     = "*0\r\n"
	lWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
	lNotInt    = "-ERR value is not an integer or out of range\r\n"
	lSyntax    = "-ERR syntax error\r\n"
	lAny       = "" // the reply is not checked (HELLO's map)
)

// pushGenericCommand: the reply is the new length; X variants only push
// onto existing lists.
func TestListPush(t *testing.T) {
	rc := dialList(t)
	listRun(t, rc, []listStep{
		{lc("LPUSH l a b c"), lInt(3)},
		{lc("RPUSH l x y"), lInt(5)},
		{lc("LRANGE l 0 -1"), lBulks("c", "b", "a", "x", "y")},
		{lc("LPUSHX nokey a"), lInt(0)},
		{lc("RPUSHX nokey a b"), lInt(0)},
		{lc("EXISTS nokey"), lInt(0)},
		{lc("LPUSHX l h"), lInt(6)},
		{lc("RPUSHX l t1 t2"), lInt(8)},
		{lc("LRANGE l 0 -1"), lBulks("h", "c", "b", "a", "x", "y", "t1", "t2")},
		{lc("SET s v"), lOK},
		{lc("LPUSH s a"), lWrongType},
		{lc("RPUSHX s a"), lWrongType},
		{lc("LPUSH s"), lErr("ERR wrong number of arguments for 'lpush' command")},
		{lc("TYPE l"), "+list\r\n"},
		// Integer-looking elements come back byte for byte.
		{lc("RPUSH n 0 -0 007 -1 9223372036854775807 -9223372036854775808 9223372036854775808 1.5"), lInt(8)},
		{lc("LRANGE n 0 -1"), lBulks("0", "-0", "007", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1.5")},
	})
}

// popGenericCommand: no count -> bulk or null; count -> array, null array
// for a missing key, empty array for count 0 on an existing list; the
// count must be >= 0 ("value is out of range, must be positive", also for
// a non-number); an emptied list is deleted.
func TestListPop(t *testing.T) {
	rc := dialList(t)
	listRun(t, rc, []listStep{
		{lc("RPUSH l a b c d e"), lInt(5)},
		{lc("LPOP l"), lBulk("a")},
		{lc("RPOP l"), lBulk("e")},
		{lc("LPOP l 2"), lBulks("b", "c")},
		{lc("RPUSH l x y z"), lInt(4)},
		{lc("RPOP l 2"), lBulks("z", "y")},
		{lc("LPOP l 0"), lEmpty},
		{lc("LPOP l -1"), lErr("ERR value is out of range, must be positive")},
		{lc("LPOP l abc"), lErr("ERR value is out of range, must be positive")},
		{lc("LPOP l 1 2"), lErr("ERR wrong number of arguments for 'lpop' command")},
		{lc("RPOP l 100"), lBulks("x", "d")},
		{lc("EXISTS l"), lInt(0)},
		{lc("LPOP l"), lNull},
		{lc("RPOP l 1"), lNullArray},
		{lc("LPOP l 0"), lNullArray},
		{lc("RPOP l -1"), lErr("ERR value is out of range, must be positive")},
		{lc("SET s v"), lOK},
		{lc("LPOP s"), lWrongType},
		{lc("RPOP s 0"), lWrongType},
		{lc("RPUSH one x"), lInt(1)},
		{lc("RPOP one"), lBulk("x")},
		{lc("EXISTS one"), lInt(0)},
		{lc("HELLO 3"), lAny},
		{lc("LPOP nokey"), lNull3},
		{lc("LPOP nokey 2"), lNull3},
		{lc("RPUSH l 1 2"), lInt(2)},
		{lc("LPOP l 5"), lArr(lBulk("1"), lBulk("2"))},
	})
}

func TestListLenIndexRange(t *testing.T) {
	rc := dialList(t)
	listRun(t, rc, []listStep{
		{lc("LLEN nokey"), lInt(0)},
		{lc("RPUSH l a b c 4 5"), lInt(5)},
		{lc("LLEN l"), lInt(5)},
		{lc("LINDEX l 0"), lBulk("a")},
		{lc("LINDEX l -1"), lBulk("5")},
		{lc("LINDEX l 3"), lBulk("4")},
		{lc("LINDEX l 5"), lNull},
		{lc("LINDEX l -6"), lNull},
		{lc("LINDEX l abc"), lNotInt},
		// lindexCommand looks the key up before parsing the index.
		{lc("LINDEX nokey abc"), lNull},
		{lc("LRANGE l 1 2"), lBulks("b", "c")},
		{lc("LRANGE l -2 -1"), lBulks("4", "5")},
		{lc("LRANGE l -100 100"), lBulks("a", "b", "c", "4", "5")},
		{lc("LRANGE l 3 1"), lEmpty},
		{lc("LRANGE l 5 10"), lEmpty},
		{lc("LRANGE l 9223372036854775807 -9223372036854775808"), lEmpty},
		{lc("LRANGE nokey 0 -1"), lEmpty},
		// lrangeCommand parses the indexes before the lookup.
		{lc("LRANGE nokey a 1"), lNotInt},
		{lc("SET s v"), lOK},
		{lc("LLEN s"), lWrongType},
		{lc("LINDEX s 0"), lWrongType},
		{lc("LINDEX s abc"), lWrongType},
		{lc("LRANGE s 0 -1"), lWrongType},
		{lc("LRANGE s x 0"), lNotInt},
		{lc("HELLO 3"), lAny},
		{lc("LINDEX l 10"), lNull3},
		{lc("LRANGE nokey 0 -1"), lEmpty},
	})
}

// lsetCommand: "no such key" for a missing key (before the index is
// parsed), "index out of range".
func TestListSet(t *testing.T) {
	rc := dialList(t)
	big := strings.Repeat("x", 10000)
	listRun(t, rc, []listStep{
		{lc("LSET nokey 0 a"), lErr("ERR no such key")},
		{lc("LSET nokey abc a"), lErr("ERR no such key")},
		{lc("RPUSH l a b c"), lInt(3)},
		{lc("LSET l 1 B"), lOK},
		{lc("LSET l -1 C"), lOK},
		{lc("LSET l 3 x"), lErr("ERR index out of range")},
		{lc("LSET l -4 x"), lErr("ERR index out of range")},
		{lc("LSET l abc x"), lNotInt},
		{[]string{"LSET", "l", "0", big}, lOK},
		{lc("LRANGE l 1 -1"), lBulks("B", "C")},
		{lc("LINDEX l 0"), lBulk(big)},
		{lc("SET s v"), lOK},
		{lc("LSET s 0 a"), lWrongType},
	})
}

// linsertCommand: the syntax is checked first, 0 for a missing key, -1
// without the pivot, else the new length.
func TestListInsert(t *testing.T) {
	rc := dialList(t)
	listRun(t, rc, []listStep{
		{lc("LINSERT nokey BEFORE a b"), lInt(0)},
		{lc("LINSERT nokey MIDDLE a b"), lSyntax},
		{lc("RPUSH l a b c"), lInt(3)},
		{lc("LINSERT l before b x"), lInt(4)},
		{lc("LINSERT l AFTER c y"), lInt(5)},
		{lc("LINSERT l After a 1"), lInt(6)},
		{lc("LINSERT l before zz 1"), lInt(-1)},
		{lc("LRANGE l 0 -1"), lBulks("a", "1", "x", "b", "c", "y")},
		{lc("LINSERT l before 1 0"), lInt(7)},
		{lc("LINDEX l 1"), lBulk("0")},
		{lc("SET s v"), lOK},
		{lc("LINSERT s before a b"), lWrongType},
		{lc("LINSERT s middle a b"), lSyntax},
	})
}

// lremCommand: count > 0 from the head, < 0 from the tail, 0 all; an
// emptied list is deleted.
func TestListRem(t *testing.T) {
	rc := dialList(t)
	listRun(t, rc, []listStep{
		{lc("LREM nokey 0 a"), lInt(0)},
		{lc("LREM nokey x a"), lNotInt},
		{lc("RPUSH l a b a c a b a"), lInt(7)},
		{lc("LREM l 2 a"), lInt(2)},
		{lc("LRANGE l 0 -1"), lBulks("b", "c", "a", "b", "a")},
		{lc("LREM l -1 b"), lInt(1)},
		{lc("LRANGE l 0 -1"), lBulks("b", "c", "a", "a")},
		{lc("LREM l 0 a"), lInt(2)},
		{lc("LREM l 0 zz"), lInt(0)},
		{lc("LREM l -9223372036854775808 c"), lInt(1)},
		{lc("LREM l 1 b"), lInt(1)},
		{lc("EXISTS l"), lInt(0)},
		{lc("RPUSH n 1 01 1"), lInt(3)},
		{lc("LREM n 0 1"), lInt(2)},
		{lc("LRANGE n 0 -1"), lBulks("01")},
		{lc("SET s v"), lOK},
		{lc("LREM s 0 a"), lWrongType},
	})
}

// ltrimCommand: OK even for a missing key; an empty range deletes it.
func TestListTrim(t *testing.T) {
	rc := dialList(t)
	listRun(t, rc, []listStep{
		{lc("LTRIM nokey 0 1"), lOK},
		{lc("LTRIM nokey a 1"), lNotInt},
		{lc("RPUSH l a b c d e"), lInt(5)},
		{lc("LTRIM l 1 -2"), lOK},
		{lc("LRANGE l 0 -1"), lBulks("b", "c", "d")},
		{lc("LTRIM l -100 100"), lOK},
		{lc("LLEN l"), lInt(3)},
		{lc("LTRIM l 2 1"), lOK},
		{lc("EXISTS l"), lInt(0)},
		{lc("RPUSH l a b"), lInt(2)},
		{lc("LTRIM l 5 10"), lOK},
		{lc("EXISTS l"), lInt(0)},
		{lc("SET s v"), lOK},
		{lc("LTRIM s 0 1"), lWrongType},
	})
}

// lposCommand: options are parsed before the lookup; RANK 0, negative
// COUNT/MAXLEN have their own errors.
func TestListPos(t *testing.T) {
	rc := dialList(t)
	listRun(t, rc, []listStep{
		{lc("RPUSH l a b c 1 2 3 c c"), lInt(8)},
		{lc("LPOS l c"), lInt(2)},
		{lc("LPOS l c RANK 2"), lInt(6)},
		{lc("LPOS l c RANK -1"), lInt(7)},
		{lc("LPOS l c RANK -3"), lInt(2)},
		{lc("LPOS l c RANK 4"), lNull},
		{lc("LPOS l c COUNT 0"), lArr(lInt(2), lInt(6), lInt(7))},
		{lc("LPOS l c COUNT 2"), lArr(lInt(2), lInt(6))},
		{lc("LPOS l c COUNT 0 RANK -1"), lArr(lInt(7), lInt(6), lInt(2))},
		{lc("LPOS l c COUNT 0 MAXLEN 7"), lArr(lInt(2), lInt(6))},
		{lc("LPOS l c MAXLEN 2"), lNull},
		{lc("LPOS l c RANK -1 MAXLEN 1"), lInt(7)},
		{lc("LPOS l 2"), lInt(4)},
		{lc("LPOS l zz COUNT 5"), lEmpty},
		{lc("LPOS l c RANK -9223372036854775808"), lInt(7)},
		{lc("LPOS nokey a"), lNull},
		{lc("LPOS nokey a COUNT 0"), lEmpty},
		{lc("LPOS l c RANK 0"), lErr("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")},
		{lc("LPOS l c RANK x"), lNotInt},
		{lc("LPOS l c COUNT -1"), lErr("ERR COUNT can't be negative")},
		{lc("LPOS l c COUNT x"), lErr("ERR COUNT can't be negative")},
		{lc("LPOS l c MAXLEN -1"), lErr("ERR MAXLEN can't be negative")},
		{lc("LPOS l c RANK"), lSyntax},
		{lc("LPOS l c FOO 1"), lSyntax},
		{lc("SET s v"), lOK},
		{lc("LPOS s a"), lWrongType},
		{lc("LPOS s a RANK 0"), lErr("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")},
		{lc("HELLO 3"), lAny},
		{lc("LPOS nokey a"), lNull3},
		{lc("LPOS l zz"), lNull3},
	})
}

// lmoveGenericCommand: null for a missing source; WRONGTYPE for either
// key (the source untouched); same-key moves rotate; the source is
// deleted once empty.
func TestListMove(t *testing.T) {
	rc := dialList(t)
	listRun(t, rc, []listStep{
		{lc("LMOVE nokey dst LEFT LEFT"), lNull},
		{lc("RPOPLPUSH nokey dst"), lNull},
		{lc("EXISTS dst"), lInt(0)},
		{lc("LMOVE a b UP LEFT"), lSyntax},
		{lc("LMOVE a b LEFT DOWN"), lSyntax},
		{lc("RPUSH src a b c"), lInt(3)},
		{lc("RPOPLPUSH src dst"), lBulk("c")},
		{lc("LMOVE src dst LEFT RIGHT"), lBulk("a")},
		{lc("LRANGE dst 0 -1"), lBulks("c", "a")},
		{lc("LMOVE src dst right left"), lBulk("b")},
		{lc("EXISTS src"), lInt(0)},
		{lc("LRANGE dst 0 -1"), lBulks("b", "c", "a")},
		{lc("LMOVE dst dst LEFT RIGHT"), lBulk("b")},
		{lc("LRANGE dst 0 -1"), lBulks("c", "a", "b")},
		{lc("RPOPLPUSH dst dst"), lBulk("b")},
		{lc("LRANGE dst 0 -1"), lBulks("b", "c", "a")},
		{lc("LMOVE dst dst LEFT LEFT"), lBulk("b")},
		{lc("LRANGE dst 0 -1"), lBulks("b", "c", "a")},
		{lc("RPUSH one 1"), lInt(1)},
		{lc("LMOVE one one RIGHT LEFT"), lBulk("1")},
		{lc("LRANGE one 0 -1"), lBulks("1")},
		{lc("SET s v"), lOK},
		{lc("LMOVE dst s LEFT LEFT"), lWrongType},
		{lc("LRANGE dst 0 -1"), lBulks("b", "c", "a")},
		{lc("LMOVE s dst LEFT LEFT"), lWrongType},
		{lc("RPOPLPUSH s nokey"), lWrongType},
		{lc("HELLO 3"), lAny},
		{lc("LMOVE nokey dst LEFT LEFT"), lNull3},
	})
}

// lmpopGenericCommand / mpopGenericCommand: [key, [elements]] from the
// first non-empty list, null array if none; argument errors.
func TestListMPop(t *testing.T) {
	rc := dialList(t)
	listRun(t, rc, []listStep{
		{lc("LMPOP 1 nokey LEFT"), lNullArray},
		{lc("RPUSH l a b c d"), lInt(4)},
		{lc("LMPOP 2 nokey l LEFT"), lArr(lBulk("l"), lBulks("a"))},
		{lc("LMPOP 2 nokey l RIGHT COUNT 2"), lArr(lBulk("l"), lBulks("d", "c"))},
		{lc("LMPOP 1 l left count 10"), lArr(lBulk("l"), lBulks("b"))},
		{lc("EXISTS l"), lInt(0)},
		{lc("LMPOP 0 l LEFT"), lErr("ERR numkeys should be greater than 0")},
		{lc("LMPOP -1 l LEFT"), lErr("ERR numkeys should be greater than 0")},
		{lc("LMPOP x l LEFT"), lErr("ERR numkeys should be greater than 0")},
		{lc("LMPOP 2 l LEFT"), lSyntax},
		{lc("LMPOP 9223372036854775807 l LEFT"), lSyntax},
		{lc("LMPOP 1 l MIDDLE"), lSyntax},
		{lc("LMPOP 1 l LEFT COUNT 0"), lErr("ERR count should be greater than 0")},
		{lc("LMPOP 1 l LEFT COUNT -1"), lErr("ERR count should be greater than 0")},
		{lc("LMPOP 1 l LEFT COUNT x"), lErr("ERR count should be greater than 0")},
		{lc("LMPOP 1 l LEFT COUNT"), lSyntax},
		{lc("LMPOP 1 l LEFT COUNT 1 COUNT 1"), lSyntax},
		{lc("LMPOP 1 l LEFT FOO"), lSyntax},
		{lc("SET s v"), lOK},
		{lc("RPUSH l2 x"), lInt(1)},
		{lc("LMPOP 2 s l2 LEFT"), lWrongType},
		{lc("LMPOP 2 l2 s LEFT"), lArr(lBulk("l2"), lBulks("x"))},
		{lc("LMPOP 2 nokey s LEFT"), lWrongType},
		{lc("HELLO 3"), lAny},
		{lc("LMPOP 1 nokey LEFT"), lNull3},
	})
}

// Lists much larger than a node, with elements of every encoded size, and
// list-max-listpack-size changes for new lists (quicklist.c node limits).
func TestListLarge(t *testing.T) {
	rc := dialList(t)
	for _, fill := range []string{"-2", "-5", "1", "3", "128"} {
		rc.do("DEL", "l")
		if got := rc.do("CONFIG", "SET", "list-max-listpack-size", fill); got != lOK {
			t.Fatalf("CONFIG SET list-max-listpack-size %s: %q", fill, got)
		}
		var want []string
		for i := 0; i < 300; i++ {
			v := strconv.Itoa(i)
			switch i % 4 {
			case 1:
				v = strings.Repeat("v", i*37)
			case 2:
				v = "x" + v
			}
			rc.do("RPUSH", "l", v)
			want = append(want, v)
		}
		if got := rc.do("LRANGE", "l", "0", "-1"); got != lBulks(want...) {
			t.Fatalf("fill %s: LRANGE differs", fill)
		}
		rc.do("LSET", "l", "150", strings.Repeat("z", 20000))
		want[150] = strings.Repeat("z", 20000)
		rc.do("LINSERT", "l", "AFTER", want[10], "ins")
		want = append(want[:11], append([]string{"ins"}, want[11:]...)...)
		if got := rc.do("LPOP", "l", "20"); got != lBulks(want[:20]...) {
			t.Fatalf("fill %s: LPOP 20 differs", fill)
		}
		want = want[20:]
		if got := rc.do("LRANGE", "l", "0", "-1"); got != lBulks(want...) {
			t.Fatalf("fill %s: LRANGE after edits differs", fill)
		}
		if got := rc.do("LINDEX", "l", "-1"); got != lBulk(want[len(want)-1]) {
			t.Fatalf("fill %s: LINDEX -1 = %q", fill, got)
		}
	}
}
