package resp

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
)

// drain parses every complete command in r, copying the arguments (they
// alias the read buffer). It stops at ErrIncomplete or a protocol error,
// which it returns.
func drain(t testing.TB, r *Reader) ([][]string, error) {
	t.Helper()
	var cmds [][]string
	for {
		argv, err := r.Next()
		if err == ErrIncomplete {
			return cmds, nil
		}
		if err != nil {
			return cmds, err
		}
		cmd := make([]string, len(argv))
		for i, a := range argv {
			cmd[i] = string(a)
		}
		cmds = append(cmds, cmd)
	}
}

func wantProtocolError(t testing.TB, err error, msg string) {
	t.Helper()
	var pe *ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want protocol error %q", err, msg)
	}
	if pe.Msg != msg {
		t.Fatalf("protocol error %q, want %q", pe.Msg, msg)
	}
}

func mb(args ...string) string {
	var b strings.Builder
	b.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	return b.String()
}

// mixedStream holds every request shape: multibulk (binary, empty and
// CRLF-containing arguments), inline with quotes, blank lines and the
// empty multibulks "*0" and "*-1", which Redis skips without a reply
// (processMultibulkBuffer: "if (ll <= 0) return C_OK").
var mixedStream = mb("SET", "key", "value") +
	mb("SET", "bin\x00key", "a\r\nb\x00\xff") +
	mb("ECHO", "") +
	"PING\r\n" +
	"\r\n" +
	"\n" +
	"SET k \"a b\\x41\" 'c d'\n" +
	"*0\r\n" +
	"*-1\r\n" +
	mb(strings.Repeat("x", 300)) +
	"   \r\n" +
	mb("GET", "key")

var mixedWant = [][]string{
	{"SET", "key", "value"},
	{"SET", "bin\x00key", "a\r\nb\x00\xff"},
	{"ECHO", ""},
	{"PING"},
	{},
	{},
	{"SET", "k", "a bA", "c d"},
	{},
	{},
	{strings.Repeat("x", 300)},
	{},
	{"GET", "key"},
}

func TestReaderMixedStream(t *testing.T) {
	r := NewReader()
	r.Feed([]byte(mixedStream))
	got, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if !equalCmds(got, mixedWant) {
		t.Fatalf("got %q\nwant %q", got, mixedWant)
	}
	if r.Buffered() != 0 {
		t.Fatalf("%d bytes left over", r.Buffered())
	}
}

// TestReaderSplitEveryBoundary feeds the stream in two parts split at every
// byte, then in three parts at many pairs, then byte by byte: the commands
// must be those of the whole stream fed at once.
func TestReaderSplitEveryBoundary(t *testing.T) {
	in := []byte(mixedStream)
	check := func(name string, parts ...[]byte) {
		t.Helper()
		r := NewReader()
		var got [][]string
		for _, p := range parts {
			r.Feed(p)
			cmds, err := drain(t, r)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got = append(got, cmds...)
		}
		if !equalCmds(got, mixedWant) {
			t.Fatalf("%s: got %q\nwant %q", name, got, mixedWant)
		}
		if r.Buffered() != 0 {
			t.Fatalf("%s: %d bytes left over", name, r.Buffered())
		}
	}
	for i := 0; i <= len(in); i++ {
		check("split at "+strconv.Itoa(i), in[:i], in[i:])
	}
	for i := 0; i <= len(in); i += 7 {
		for j := i; j <= len(in); j += 5 {
			check("split at "+strconv.Itoa(i)+","+strconv.Itoa(j), in[:i], in[i:j], in[j:])
		}
	}
	bytewise := make([][]byte, len(in))
	for i := range in {
		bytewise[i] = in[i : i+1]
	}
	check("byte by byte", bytewise...)
}

// TestReaderFillSplitReads goes through Fill (the server's path) with a
// reader that returns one byte per call, then 3 bytes per call.
func TestReaderFillSplitReads(t *testing.T) {
	for _, step := range []int{1, 3, 64} {
		r := NewReader()
		src := &chunkReader{data: []byte(mixedStream), step: step}
		var got [][]string
		for {
			_, err := r.Fill(src)
			cmds, perr := drain(t, r)
			if perr != nil {
				t.Fatal(perr)
			}
			got = append(got, cmds...)
			if err == io.EOF {
				break
			}
		}
		if !equalCmds(got, mixedWant) {
			t.Fatalf("step %d: got %q\nwant %q", step, got, mixedWant)
		}
	}
}

type chunkReader struct {
	data []byte
	step int
}

func (c *chunkReader) Read(b []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(c.step, len(c.data), len(b))
	copy(b, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// TestReaderIncomplete checks that a partial command is held and not
// consumed, whatever byte it stops at.
func TestReaderIncomplete(t *testing.T) {
	full := mb("SET", "k", "v")
	for i := 1; i < len(full); i++ {
		r := NewReader()
		r.Feed([]byte(full[:i]))
		if argv, err := r.Next(); err != ErrIncomplete {
			t.Fatalf("prefix %q: argv %q, err %v; want ErrIncomplete", full[:i], argv, err)
		}
		if r.Buffered() != i {
			t.Fatalf("prefix %q: Buffered = %d", full[:i], r.Buffered())
		}
	}
	r := NewReader()
	if _, err := r.Next(); err != ErrIncomplete {
		t.Fatalf("empty reader: %v", err)
	}
	r.Feed([]byte("PING")) // an inline command needs its newline
	if _, err := r.Next(); err != ErrIncomplete {
		t.Fatalf("inline without newline: %v", err)
	}
}

// TestReaderTrailingCRLFUnchecked: Redis skips the two bytes after a bulk
// without looking at them (processMultibulkBuffer: "c->qb_pos +=
// c->bulklen+2"), so "$3\r\nPINGXX..." reads "PIN", drops "GX", and the
// rest is parsed as inline requests. Checked against redis-server 7.0.15,
// which replies unknown command 'PIN', 'X*1', '$4' and then +PONG.
func TestReaderTrailingCRLFUnchecked(t *testing.T) {
	r := NewReader()
	r.Feed([]byte("*1\r\n$3\r\nPINGX*1\r\n$4\r\nPING\r\n"))
	got, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	// "PINGX*1": PIN, then "GX" skipped, then "*1\r\n" is a multibulk
	// header followed by "$4\r\nPING\r\n".
	if !equalCmds(got, [][]string{{"PIN"}, {"PING"}}) {
		t.Fatalf("got %q", got)
	}
	r = NewReader()
	r.Feed([]byte("*1\r\n$3\r\nPINGXX*1\r\n$4\r\nPING\r\n"))
	got, err = drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if !equalCmds(got, [][]string{{"PIN"}, {"X*1"}, {"$4"}, {"PING"}}) {
		t.Fatalf("got %q", got)
	}
}

// TestReaderEmptyRequests: blank inline lines and multibulk counts ≤ 0
// are consumed and give an empty argv (no reply), as in Redis.
func TestReaderEmptyRequests(t *testing.T) {
	for _, in := range []string{"\r\n", "\n", " \t \r\n", "*0\r\n", "*-1\r\n", "*-100\r\n"} {
		r := NewReader()
		r.Feed([]byte(in + "PING\r\n"))
		got, err := drain(t, r)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if !equalCmds(got, [][]string{{}, {"PING"}}) {
			t.Fatalf("%q: got %q", in, got)
		}
	}
}

// Protocol errors and their texts: processInlineBuffer and
// processMultibulkBuffer in Redis 7.0's src/networking.c. Each was also
// sent to redis-server 7.0.15, which replied "-ERR <text>" and closed.
func TestReaderProtocolErrors(t *testing.T) {
	big := strings.Repeat("1", InlineMaxSize+1)
	cases := []struct {
		name, in, msg string
		auth          bool
	}{
		{"mbulk not a number", "*x\r\n", "ERR Protocol error: invalid multibulk length", false},
		{"mbulk empty", "*\r\n", "ERR Protocol error: invalid multibulk length", false},
		{"mbulk plus", "*+1\r\n", "ERR Protocol error: invalid multibulk length", false},
		{"mbulk leading zero", "*01\r\n", "ERR Protocol error: invalid multibulk length", false},
		{"mbulk space", "* 1\r\n", "ERR Protocol error: invalid multibulk length", false},
		{"mbulk over INT_MAX", "*2147483648\r\n", "ERR Protocol error: invalid multibulk length", false},
		{"mbulk 3e9", "*3000000000\r\n", "ERR Protocol error: invalid multibulk length", false},
		{"mbulk overflow", "*99999999999999999999\r\n", "ERR Protocol error: invalid multibulk length", false},
		{"bulk not a number", "*1\r\n$x\r\n", "ERR Protocol error: invalid bulk length", false},
		{"bulk negative", "*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length", false},
		{"bulk empty", "*1\r\n$\r\n", "ERR Protocol error: invalid bulk length", false},
		{"bulk 1e12", "*1\r\n$1000000000000\r\n", "ERR Protocol error: invalid bulk length", false},
		{"bulk over proto-max-bulk-len", "*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length", false},
		{"expected dollar", "*1\r\nx3\r\n", "ERR Protocol error: expected '$', got 'x'", false},
		{"expected dollar second arg", "*2\r\n$1\r\na\r\n:1\r\n", "ERR Protocol error: expected '$', got ':'", false},
		{"too big inline", strings.Repeat("a", InlineMaxSize+1), "ERR Protocol error: too big inline request", false},
		{"too big mbulk count", "*" + big, "ERR Protocol error: too big mbulk count string", false},
		{"too big bulk count", "*1\r\n$" + big, "ERR Protocol error: too big bulk count string", false},
		{"unbalanced", "SET \"a\r\n", "ERR Protocol error: unbalanced quotes in request", false},
		{"unauthenticated mbulk", "*11\r\n", "ERR Protocol error: unauthenticated multibulk length", true},
		{"unauthenticated bulk", "*1\r\n$16385\r\n", "ERR Protocol error: unauthenticated bulk length", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader()
			r.AuthRequired = tc.auth
			r.Feed([]byte("PING\r\n" + tc.in))
			got, err := drain(t, r)
			if !equalCmds(got, [][]string{{"PING"}}) {
				t.Fatalf("commands before the error: %q", got)
			}
			wantProtocolError(t, err, tc.msg)
			var pe *ProtocolError
			errors.As(err, &pe)
			want, ok := logReasons[strings.TrimPrefix(tc.msg, "ERR Protocol error: ")]
			if !ok || pe.Reason != want {
				t.Fatalf("Reason = %q, want %q", pe.Reason, want)
			}
		})
	}
}

// logReasons maps the start of each reply text to the reason Redis logs
// (the setProtocolError calls in src/networking.c).
var logReasons = map[string]string{
	"invalid multibulk length":         "invalid mbulk count",
	"invalid bulk length":              "invalid bulk length",
	"expected '$', got 'x'":            "expected $ but got something else",
	"expected '$', got ':'":            "expected $ but got something else",
	"too big inline request":           "too big inline request",
	"too big mbulk count string":       "too big mbulk count string",
	"too big bulk count string":        "too big bulk count string",
	"unbalanced quotes in request":     "unbalanced quotes in inline request",
	"unauthenticated multibulk length": "unauth mbulk count",
	"unauthenticated bulk length":      "unauth bulk length",
}

// TestReaderLimitsAtBoundary: the limits themselves are accepted.
func TestReaderLimitsAtBoundary(t *testing.T) {
	r := NewReader()
	r.AuthRequired = true
	r.Feed([]byte("*10\r\n$16384\r\n"))
	if _, err := r.Next(); err != ErrIncomplete {
		t.Fatalf("10 args / 16384 bytes unauthenticated: %v", err)
	}
	r = NewReader()
	r.Feed([]byte("*2147483647\r\n"))
	if _, err := r.Next(); err != ErrIncomplete {
		t.Fatalf("*INT_MAX: %v", err)
	}
	r = NewReader()
	r.MaxBulk = 10
	r.Feed([]byte("*1\r\n$10\r\n0123456789\r\n*1\r\n$11\r\n"))
	got, err := drain(t, r)
	if !equalCmds(got, [][]string{{"0123456789"}}) {
		t.Fatalf("got %q", got)
	}
	wantProtocolError(t, err, "ERR Protocol error: invalid bulk length")
	// An inline line exactly at the limit is fine while it has no newline yet.
	r = NewReader()
	r.Feed(bytes.Repeat([]byte("a"), InlineMaxSize))
	if _, err := r.Next(); err != ErrIncomplete {
		t.Fatalf("inline of InlineMaxSize bytes: %v", err)
	}
}

// TestReaderHugeMultibulkCount: "*2000000000" is valid (≤ INT_MAX) and
// waits for its arguments, as in Redis, without allocating for them.
func TestReaderHugeMultibulkCount(t *testing.T) {
	r := NewReader()
	r.Feed([]byte("*2000000000\r\n" + strings.Repeat("$1\r\na\r\n", 1000)))
	if _, err := r.Next(); err != ErrIncomplete {
		t.Fatalf("err = %v", err)
	}
	if c := cap(r.offs); c > 4096 {
		t.Fatalf("argument table has capacity %d after 1000 arguments", c)
	}
}

// TestReaderHugeMaxBulk: with proto-max-bulk-len at its maximum (LONG_MAX
// in Redis's config.c) a huge declared length must not overflow.
func TestReaderHugeMaxBulk(t *testing.T) {
	r := NewReader()
	r.MaxBulk = 1<<63 - 1
	r.Feed([]byte("*1\r\n$9223372036854775807\r\nabc"))
	if _, err := r.Next(); err != ErrIncomplete {
		t.Fatalf("err = %v", err)
	}
	// Fill must not try to allocate the declared size.
	_, _ = r.Fill(&chunkReader{data: []byte("def"), step: 3})
	if r.Cap() > 1<<20 {
		t.Fatalf("buffer grew to %d bytes for 6 bytes of data", r.Cap())
	}
}

// TestReaderNULInHeaders: Redis finds line ends with strchr, which stops
// at a NUL byte, so a NUL before the newline of an inline request or
// before the CR of a length header leaves the request incomplete (and the
// connection waiting until the 64KB limit). Checked against
// redis-server 7.0.15: "PI\x00NG\r\nPING\r\n", "\x00PING\r\n" and "*1\x00\r\n"
// get no reply at all.
func TestReaderNULInHeaders(t *testing.T) {
	for _, in := range []string{"PI\x00NG\r\nPING\r\n", "\x00PING\r\n", "*1\x00\r\n$4\r\nPING\r\n", "*1\r\n$4\x00\r\nPING\r\n"} {
		r := NewReader()
		r.Feed([]byte(in))
		if argv, err := r.Next(); err != ErrIncomplete {
			t.Errorf("%q: argv %q err %v, want ErrIncomplete", in, argv, err)
		}
	}
	// Past the limit, the usual "too big" errors.
	pad := strings.Repeat("a", InlineMaxSize)
	for _, tc := range []struct{ in, msg string }{
		{"PI\x00NG\r\n" + pad, "ERR Protocol error: too big inline request"},
		{"*1\x00\r\n" + pad, "ERR Protocol error: too big mbulk count string"},
		{"*1\r\n$4\x00\r\n" + pad, "ERR Protocol error: too big bulk count string"},
	} {
		r := NewReader()
		r.Feed([]byte(tc.in))
		_, err := r.Next()
		wantProtocolError(t, err, tc.msg)
	}
	// NUL inside bulk data is ordinary data.
	r := NewReader()
	r.Feed([]byte(mb("\x00", "a\x00\r\n") + "PING\r\n"))
	got, err := drain(t, r)
	if err != nil || !equalCmds(got, [][]string{{"\x00", "a\x00\r\n"}, {"PING"}}) {
		t.Fatalf("got %q, %v", got, err)
	}
}

// TestReaderArgsCapped: multibulk arguments are capped sub-slices, so a
// handler appending to one cannot overwrite the next.
func TestReaderArgsCapped(t *testing.T) {
	r := NewReader()
	r.Feed([]byte(mb("SET", "k", "v")))
	argv, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range argv {
		if cap(a) != len(a) {
			t.Fatalf("argv[%d] has cap %d > len %d", i, cap(a), len(a))
		}
	}
	_ = append(argv[1], "XXXX"...)
	if string(argv[2]) != "v" {
		t.Fatalf("argv[2] = %q after appending to argv[1]", argv[2])
	}
}

// TestReaderBufferShrinks: after a big argument the buffer goes back to
// its small size.
func TestReaderBufferShrinks(t *testing.T) {
	r := NewReader()
	r.Feed([]byte(mb("SET", "k", strings.Repeat("v", 1<<20))))
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	r.Feed([]byte("PING\r\n"))
	if r.Cap() > 4*minBuf {
		t.Fatalf("buffer still %d bytes after the big command", r.Cap())
	}
	got, err := drain(t, r)
	if err != nil || !equalCmds(got, [][]string{{"PING"}}) {
		t.Fatalf("got %q, %v", got, err)
	}
}

// bigBulkSource streams "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$<n>\r\n<n bytes>\r\n"
// then "PING\r\n" in reads of at most step bytes, without holding the
// value in memory.
type bigBulkSource struct {
	head, tail []byte
	n, step    int
	off        int // offset in the whole stream
}

func newBigBulkSource(n, step int) *bigBulkSource {
	return &bigBulkSource{
		head: []byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + strconv.Itoa(n) + "\r\n"),
		tail: []byte("\r\nPING\r\n"),
		n:    n, step: step,
	}
}

func (s *bigBulkSource) total() int { return len(s.head) + s.n + len(s.tail) }

func (s *bigBulkSource) Read(b []byte) (int, error) {
	if s.off >= s.total() {
		return 0, io.EOF
	}
	b = b[:min(len(b), s.step)]
	n := 0
	for n < len(b) && s.off < s.total() {
		switch {
		case s.off < len(s.head):
			c := copy(b[n:], s.head[s.off:])
			n += c
			s.off += c
		case s.off < len(s.head)+s.n:
			c := min(len(b)-n, len(s.head)+s.n-s.off)
			for i := range c {
				b[n+i] = byte('a' + (s.off+i)%26)
			}
			n += c
			s.off += c
		default:
			c := copy(b[n:], s.tail[s.off-len(s.head)-s.n:])
			n += c
			s.off += c
		}
	}
	return n, nil
}

// TestReaderBigArgumentLinear reads a 100MB argument arriving in 64KB
// reads, through Fill (the server's path) and through Feed. The buffer
// may grow only a logarithmic number of times and the bytes copied by
// growth must stay within a small multiple of the argument: no quadratic
// re-copying of the partial argument on every read.
func TestReaderBigArgumentLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("100MB argument")
	}
	const size = 100 << 20
	const step = 64 << 10

	t.Run("Fill", func(t *testing.T) {
		r := NewReader()
		src := newBigBulkSource(size, step)
		var grows, copied, reads int
		var got [][]string
		start := time.Now()
		for {
			before := r.Cap()
			buffered := r.Buffered()
			n, err := r.Fill(src)
			reads++
			if r.Cap() != before {
				grows++
				copied += buffered
			}
			for {
				argv, perr := r.Next()
				if perr == ErrIncomplete {
					break
				}
				if perr != nil {
					t.Fatal(perr)
				}
				cmd := []string{string(argv[0])}
				if len(argv) == 3 {
					checkBigValue(t, argv[2], size)
				}
				got = append(got, cmd)
			}
			if err == io.EOF || (n == 0 && err != nil) {
				break
			}
		}
		t.Logf("Fill: %d reads, %d buffer growths, %d bytes copied by growth, %v", reads, grows, copied, time.Since(start))
		if !equalCmds(got, [][]string{{"SET"}, {"PING"}}) {
			t.Fatalf("got %q", got)
		}
		if grows > 40 {
			t.Fatalf("buffer grew %d times", grows)
		}
		if copied > 3*size {
			t.Fatalf("%d bytes copied by buffer growth for a %d byte argument", copied, size)
		}
	})

	t.Run("Feed", func(t *testing.T) {
		r := NewReader()
		src := newBigBulkSource(size, step)
		chunk := make([]byte, step)
		var grows, copied int
		var got [][]string
		for {
			n, err := src.Read(chunk)
			if err == io.EOF {
				break
			}
			before, buffered := r.Cap(), r.Buffered()
			r.Feed(chunk[:n])
			if r.Cap() != before {
				grows++
				copied += buffered
			}
			for {
				argv, perr := r.Next()
				if perr == ErrIncomplete {
					break
				}
				if perr != nil {
					t.Fatal(perr)
				}
				if len(argv) == 3 {
					checkBigValue(t, argv[2], size)
				}
				got = append(got, []string{string(argv[0])})
			}
		}
		t.Logf("Feed: %d buffer growths, %d bytes copied by growth", grows, copied)
		if !equalCmds(got, [][]string{{"SET"}, {"PING"}}) {
			t.Fatalf("got %q", got)
		}
		if grows > 60 || copied > 3*size {
			t.Fatalf("buffer grew %d times copying %d bytes", grows, copied)
		}
	})
}

func checkBigValue(t *testing.T, v []byte, size int) {
	t.Helper()
	if len(v) != size {
		t.Fatalf("value of %d bytes, want %d", len(v), size)
	}
	head := len("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + strconv.Itoa(size) + "\r\n")
	for _, i := range []int{0, 1, size / 2, size - 1} {
		if v[i] != byte('a'+(head+i)%26) {
			t.Fatalf("value byte %d = %q", i, v[i])
		}
	}
}

// TestReaderLyingBulkLength: a client that declares a big argument and
// sends little of it must not make the reader allocate the declared size.
func TestReaderLyingBulkLength(t *testing.T) {
	r := NewReader()
	src := &chunkReader{data: []byte("*1\r\n$500000000\r\nabc"), step: 1 << 20}
	for range 3 {
		_, _ = r.Fill(src)
		if _, err := r.Next(); err != ErrIncomplete {
			t.Fatalf("err = %v", err)
		}
	}
	if r.Cap() > 1<<20 {
		t.Fatalf("buffer of %d bytes for %d bytes received", r.Cap(), r.Buffered())
	}
}

func equalCmds(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

func TestParseInt(t *testing.T) {
	// Redis's string2ll (src/util.c): optional '-', no '+', no leading
	// zeros or spaces, no overflow.
	ok := map[string]int64{
		"0": 0, "1": 1, "-1": -1, "123": 123,
		"9223372036854775807":  1<<63 - 1,
		"-9223372036854775808": -1 << 63,
	}
	for s, want := range ok {
		if got, k := ParseInt([]byte(s)); !k || got != want {
			t.Errorf("ParseInt(%q) = %d, %v", s, got, k)
		}
	}
	for _, s := range []string{"", "-", "+1", "01", "-0", " 1", "1 ", "1a", "9223372036854775808", "-9223372036854775809", "99999999999999999999", "123456789012345678901"} {
		if got, k := ParseInt([]byte(s)); k {
			t.Errorf("ParseInt(%q) = %d, want failure", s, got)
		}
	}
}

// A connection's first buffer is small (initBuf) and grows as requests
// need; a buffer grown for 16 KB values keeps its room between requests.
func TestReaderBufferSizing(t *testing.T) {
	r := NewReader()
	if _, err := r.Fill(strings.NewReader("*1\r\n$4\r\nPING\r\n")); err != nil {
		t.Fatal(err)
	}
	if r.Cap() != initBuf {
		t.Fatalf("first buffer %d bytes, want %d", r.Cap(), initBuf)
	}
	if argv, err := r.Next(); err != nil || len(argv) != 1 {
		t.Fatalf("Next = %q, %v", argv, err)
	}
	big := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$16384\r\n" + strings.Repeat("x", 16384) + "\r\n"
	for i := 0; i < 3; i++ {
		src := strings.NewReader(big)
		for {
			argv, err := r.Next()
			if err == nil {
				if len(argv) != 3 || len(argv[2]) != 16384 {
					t.Fatalf("request %d: argv %d args", i, len(argv))
				}
				break
			}
			if err != ErrIncomplete {
				t.Fatal(err)
			}
			if _, err := r.Fill(src); err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
		}
		r.Compact()
		if r.Cap() < 16384 {
			t.Fatalf("request %d: buffer shrank to %d bytes between 16 KB requests", i, r.Cap())
		}
	}
}

// TestLastRaw: LastRaw returns each command's bytes exactly as received,
// also when a command arrives in pieces across several Feeds.
func TestLastRaw(t *testing.T) {
	cmds := []string{"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n", "*1\r\n$4\r\nPING\r\n"}
	stream := strings.Join(cmds, "")
	for step := 1; step <= len(stream); step++ {
		r := NewReader()
		var got []string
		for i := 0; i < len(stream); i += step {
			r.Feed([]byte(stream[i:min(i+step, len(stream))]))
			for {
				argv, err := r.Next()
				if err == ErrIncomplete {
					break
				}
				if err != nil || len(argv) == 0 {
					t.Fatalf("step %d: %v %q", step, err, argv)
				}
				got = append(got, string(r.LastRaw()))
			}
		}
		if strings.Join(got, "|") != strings.Join(cmds, "|") {
			t.Fatalf("step %d: LastRaw gave %q", step, got)
		}
	}
}

// TestReaderLentBuffer: a reader whose requests arrive whole reads into
// the lent buffer and owns none after Release; a partial request moves to
// a buffer of its own, survives the lent buffer being reused, and
// completes from the reader's own buffer.
func TestReaderLentBuffer(t *testing.T) {
	lent := make([]byte, 4096)
	r := NewReader()
	if _, err := r.FillLent(strings.NewReader("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"), lent); err != nil {
		t.Fatal(err)
	}
	if !r.Lent() {
		t.Fatal("an empty reader did not use the lent buffer")
	}
	cmds, err := drain(t, r)
	if err != nil || len(cmds) != 2 || cmds[1][0] != "GET" {
		t.Fatalf("drain = %q, %v", cmds, err)
	}
	r.Release()
	if r.Lent() || r.Cap() != 0 || r.Buffered() != 0 {
		t.Fatalf("after Release of a drained reader: lent %v cap %d buffered %d, want no buffer", r.Lent(), r.Cap(), r.Buffered())
	}

	// A whole command and the start of the next.
	if _, err := r.FillLent(strings.NewReader("*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhel"), lent); err != nil {
		t.Fatal(err)
	}
	if cmds, err := drain(t, r); err != nil || len(cmds) != 1 {
		t.Fatalf("drain = %q, %v", cmds, err)
	}
	r.Release()
	for i := range lent {
		lent[i] = '!' // the next connection's read
	}
	if r.Buffered() == 0 || r.Cap() == 0 {
		t.Fatalf("partial request lost: buffered %d cap %d", r.Buffered(), r.Cap())
	}
	if _, err := r.FillLent(strings.NewReader("lo\r\n"), lent); err != nil {
		t.Fatal(err)
	}
	if r.Lent() {
		t.Fatal("a reader holding a partial request read into the lent buffer")
	}
	cmds, err = drain(t, r)
	if err != nil || len(cmds) != 1 || strings.Join(cmds[0], " ") != "SET k hello" {
		t.Fatalf("drain = %q, %v", cmds, err)
	}
	r.Release() // a no-op: not lent
	if r.Cap() == 0 {
		t.Fatal("Release dropped the reader's own buffer")
	}
}
