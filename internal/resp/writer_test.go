package resp

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// Reply shapes per protocol version: the addReply* functions of Redis
// 7.0's src/networking.c (addReplyNull, addReplyNullArray, addReplyMapLen,
// addReplySetLen, addReplyBool, addReplyDouble, addReplyBigNum,
// addReplyVerbatim) and https://github.com/redis/redis-specifications
// (RESP3.md).
func TestWriterShapes(t *testing.T) {
	cases := []struct {
		name       string
		write      func(w *Writer)
		resp2, res string
	}{
		{"status", func(w *Writer) { w.Status("PONG") }, "+PONG\r\n", "+PONG\r\n"},
		{"ok", func(w *Writer) { w.OK() }, "+OK\r\n", "+OK\r\n"},
		{"error", func(w *Writer) { w.Error("ERR bad") }, "-ERR bad\r\n", "-ERR bad\r\n"},
		{"error newlines", func(w *Writer) { w.Error("ERR a\r\nb\nc") }, "-ERR a  b c\r\n", "-ERR a  b c\r\n"},
		{"int small", func(w *Writer) { w.Int(7) }, ":7\r\n", ":7\r\n"},
		{"int", func(w *Writer) { w.Int(-12345) }, ":-12345\r\n", ":-12345\r\n"},
		{"int min", func(w *Writer) { w.Int(math.MinInt64) }, ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
		{"int 10", func(w *Writer) { w.Int(10) }, ":10\r\n", ":10\r\n"},
		{"bulk", func(w *Writer) { w.Bulk([]byte("a\r\n\x00")) }, "$4\r\na\r\n\x00\r\n", "$4\r\na\r\n\x00\r\n"},
		{"bulk empty", func(w *Writer) { w.Bulk(nil) }, "$0\r\n\r\n", "$0\r\n\r\n"},
		{"bulk string", func(w *Writer) { w.BulkString("hello") }, "$5\r\nhello\r\n", "$5\r\nhello\r\n"},
		{"bulk int", func(w *Writer) { w.BulkInt(-42) }, "$3\r\n-42\r\n", "$3\r\n-42\r\n"},
		{"null", func(w *Writer) { w.Null() }, "$-1\r\n", "_\r\n"},
		{"null array", func(w *Writer) { w.NullArray() }, "*-1\r\n", "_\r\n"},
		{"array", func(w *Writer) { w.Array(12) }, "*12\r\n", "*12\r\n"},
		{"array empty", func(w *Writer) { w.Array(0) }, "*0\r\n", "*0\r\n"},
		{"map", func(w *Writer) { w.Map(2) }, "*4\r\n", "%2\r\n"},
		{"map 5", func(w *Writer) { w.Map(5) }, "*10\r\n", "%5\r\n"},
		{"set", func(w *Writer) { w.Set(3) }, "*3\r\n", "~3\r\n"},
		{"push", func(w *Writer) { w.Push(3) }, "*3\r\n", ">3\r\n"},
		{"true", func(w *Writer) { w.Bool(true) }, ":1\r\n", "#t\r\n"},
		{"false", func(w *Writer) { w.Bool(false) }, ":0\r\n", "#f\r\n"},
		{"double", func(w *Writer) { w.Double(1.5) }, "$3\r\n1.5\r\n", ",1.5\r\n"},
		{"double 0.1", func(w *Writer) { w.Double(0.1) }, "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n"},
		{"double integral", func(w *Writer) { w.Double(100) }, "$3\r\n100\r\n", ",100\r\n"},
		{"double exp", func(w *Writer) { w.Double(1e20) }, "$5\r\n1e+20\r\n", ",1e+20\r\n"},
		{"double small", func(w *Writer) { w.Double(1.5e-7) }, "$22\r\n1.4999999999999999e-07\r\n", ",1.4999999999999999e-07\r\n"},
		{"double inf", func(w *Writer) { w.Double(math.Inf(1)) }, "$3\r\ninf\r\n", ",inf\r\n"},
		{"double -inf", func(w *Writer) { w.Double(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
		{"big number", func(w *Writer) { w.BigNumber([]byte("1234567890123456789012")) }, "$22\r\n1234567890123456789012\r\n", "(1234567890123456789012\r\n"},
		{"verbatim", func(w *Writer) { w.Verbatim("txt", []byte("a\nb")) }, "$3\r\na\nb\r\n", "=7\r\ntxt:a\nb\r\n"},
		{"raw", func(w *Writer) { w.Raw([]byte("+X\r\n")) }, "+X\r\n", "+X\r\n"},
	}
	for _, tc := range cases {
		for _, proto := range []int{2, 3} {
			w := &Writer{Proto: proto}
			tc.write(w)
			want := tc.resp2
			if proto == 3 {
				want = tc.res
			}
			if string(w.Buf) != want {
				t.Errorf("%s RESP%d: %q, want %q", tc.name, proto, w.Buf, want)
			}
		}
	}
}

// TestAppendDoubleMatchesPrintf checks AppendDouble against C's "%.17g"
// for values whose glibc output is known (Redis formats doubles with
// snprintf "%.17g" in addReplyDouble).
func TestAppendDoubleMatchesPrintf(t *testing.T) {
	cases := map[float64]string{
		0:                           "0",
		1:                           "1",
		-2.5:                        "-2.5",
		3.14:                        "3.1400000000000001",
		1e16:                        "10000000000000000",
		1e17:                        "1e+17",
		123456789012345678:          "1.2345678901234568e+17",
		0.0001:                      "0.0001",
		0.00001:                     "1.0000000000000001e-05",
		math.MaxFloat64:             "1.7976931348623157e+308",
		math.SmallestNonzeroFloat64: "4.9406564584124654e-324",
	}
	for f, want := range cases {
		if got := string(AppendDouble(nil, f)); got != want {
			t.Errorf("AppendDouble(%v) = %q, want %q", f, got, want)
		}
	}
	if got := string(AppendDouble(nil, math.NaN())); got != "nan" {
		t.Errorf("AppendDouble(NaN) = %q", got)
	}
}

func TestWriterNegativeZero(t *testing.T) {
	// glibc prints -0.0 with "%.17g" as "-0".
	if got := string(AppendDouble(nil, math.Copysign(0, -1))); got != "-0" {
		t.Errorf("AppendDouble(-0) = %q, want \"-0\"", got)
	}
}

// TestWriterDeferred: a deferred header (Redis's addReplyDeferredLen /
// setDeferredArrayLen) is inserted before the elements written after
// Defer, in the shape of the protocol version.
func TestWriterDeferred(t *testing.T) {
	for _, proto := range []int{2, 3} {
		w := &Writer{Proto: proto}
		w.Status("before")
		d := w.Defer()
		for i := range 12 {
			w.BulkInt(int64(i))
		}
		w.FinishArray(d, 12)
		w.Int(1)
		want := "+before\r\n*12\r\n" + bulkInts(12) + ":1\r\n"
		if string(w.Buf) != want {
			t.Errorf("RESP%d array: %q\nwant %q", proto, w.Buf, want)
		}

		w = &Writer{Proto: proto}
		d = w.Defer()
		w.BulkString("k")
		w.Int(1)
		w.FinishMap(d, 1)
		mapHdr, setHdr := "*2\r\n", "*2\r\n"
		if proto == 3 {
			mapHdr, setHdr = "%1\r\n", "~2\r\n"
		}
		if want := mapHdr + "$1\r\nk\r\n:1\r\n"; string(w.Buf) != want {
			t.Errorf("RESP%d map: %q, want %q", proto, w.Buf, want)
		}

		w = &Writer{Proto: proto}
		d = w.Defer()
		w.BulkString("a")
		w.BulkString("b")
		w.FinishSet(d, 2)
		if want := setHdr + "$1\r\na\r\n$1\r\nb\r\n"; string(w.Buf) != want {
			t.Errorf("RESP%d set: %q, want %q", proto, w.Buf, want)
		}
	}
}

// TestWriterDeferredNested: deferred headers nest (an outer array whose
// elements are deferred arrays, as in COMMAND INFO or XRANGE replies) and
// an empty deferred aggregate works.
func TestWriterDeferredNested(t *testing.T) {
	w := NewWriter()
	outer := w.Defer()
	for i := range 3 {
		inner := w.Defer()
		for j := range i {
			w.Int(int64(j))
		}
		w.FinishArray(inner, i)
	}
	w.FinishArray(outer, 3)
	want := "*3\r\n*0\r\n*1\r\n:0\r\n*2\r\n:0\r\n:1\r\n"
	if string(w.Buf) != want {
		t.Fatalf("%q, want %q", w.Buf, want)
	}

	w = NewWriter()
	d := w.Defer()
	w.FinishArray(d, 0)
	if string(w.Buf) != "*0\r\n" {
		t.Fatalf("empty deferred: %q", w.Buf)
	}
}

// TestWriterDeferredLarge: a deferred header inserted before a large reply.
func TestWriterDeferredLarge(t *testing.T) {
	w := NewWriter()
	d := w.Defer()
	big := strings.Repeat("x", 1<<20)
	w.BulkString(big)
	w.FinishArray(d, 1)
	if want := "*1\r\n$1048576\r\n" + big + "\r\n"; string(w.Buf) != want {
		t.Fatalf("large deferred reply corrupted (len %d, want %d)", len(w.Buf), len(want))
	}
}

func TestWriterResetAndLen(t *testing.T) {
	w := NewWriter()
	if w.Proto != 2 {
		t.Fatalf("NewWriter proto %d", w.Proto)
	}
	w.OK()
	if w.Len() != 5 {
		t.Fatalf("Len = %d", w.Len())
	}
	c := cap(w.Buf)
	w.Reset()
	if w.Len() != 0 || cap(w.Buf) != c {
		t.Fatalf("Reset: len %d cap %d (was %d)", w.Len(), cap(w.Buf), c)
	}
}

// TestWriterNoAllocs: the common replies append without allocating once
// the buffer has room (STYLE.md: append, don't allocate).
func TestWriterNoAllocs(t *testing.T) {
	w := &Writer{Proto: 3, Buf: make([]byte, 0, 4096)}
	val := []byte("value")
	n := testing.AllocsPerRun(100, func() {
		w.Reset()
		w.OK()
		w.Int(123456)
		w.Bulk(val)
		w.BulkInt(-7)
		w.Null()
		w.Double(2.5)
		d := w.Defer()
		w.Int(1)
		w.FinishArray(d, 1)
	})
	if n != 0 {
		t.Fatalf("%v allocations per run", n)
	}
}

func bulkInts(n int) string {
	var b strings.Builder
	for i := range n {
		s := strconv.Itoa(i)
		b.WriteString("$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n")
	}
	return b.String()
}
