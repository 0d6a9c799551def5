package resp

import (
	"math"
	"strconv"
)

// Writer appends replies to a byte buffer in the client's protocol
// version. It never touches a socket: the owner flushes Buf.
//
// RESP2 and RESP3 differ for nulls, maps, sets, doubles, booleans, push
// messages, big numbers and verbatim strings; every other type is shared.
type Writer struct {
	Buf   []byte
	Proto int // 2 or 3
}

// NewWriter returns a RESP2 writer.
func NewWriter() *Writer { return &Writer{Proto: 2} }

// Reset empties the buffer, keeping its memory.
func (w *Writer) Reset() { w.Buf = w.Buf[:0] }

// Len returns the number of buffered bytes.
func (w *Writer) Len() int { return len(w.Buf) }

// Status appends a simple string: +OK.
func (w *Writer) Status(s string) {
	w.Buf = append(w.Buf, '+')
	w.Buf = append(w.Buf, s...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// OK appends +OK.
func (w *Writer) OK() { w.Buf = append(w.Buf, "+OK\r\n"...) }

// Error appends an error reply. msg is the full text ("ERR ...",
// "WRONGTYPE ..."); newlines are replaced by spaces as Redis does.
func (w *Writer) Error(msg string) {
	w.Buf = append(w.Buf, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.Buf = append(w.Buf, c)
	}
	w.Buf = append(w.Buf, '\r', '\n')
}

// Int appends an integer reply.
func (w *Writer) Int(n int64) {
	if n >= 0 && n < 10 {
		w.Buf = append(w.Buf, ':', byte('0'+n), '\r', '\n')
		return
	}
	w.Buf = append(w.Buf, ':')
	w.Buf = strconv.AppendInt(w.Buf, n, 10)
	w.Buf = append(w.Buf, '\r', '\n')
}

// Bulk appends a bulk string.
func (w *Writer) Bulk(b []byte) {
	w.Buf = appendHeader(w.Buf, '$', len(b))
	w.Buf = append(w.Buf, b...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// BulkString appends a bulk string.
func (w *Writer) BulkString(s string) {
	w.Buf = appendHeader(w.Buf, '$', len(s))
	w.Buf = append(w.Buf, s...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// BulkInt appends an integer formatted as a bulk string.
func (w *Writer) BulkInt(n int64) {
	var tmp [24]byte
	w.Bulk(strconv.AppendInt(tmp[:0], n, 10))
}

// Null appends the null bulk string ($-1 / _).
func (w *Writer) Null() {
	if w.Proto >= 3 {
		w.Buf = append(w.Buf, "_\r\n"...)
		return
	}
	w.Buf = append(w.Buf, "$-1\r\n"...)
}

// NullArray appends the null array (*-1 / _).
func (w *Writer) NullArray() {
	if w.Proto >= 3 {
		w.Buf = append(w.Buf, "_\r\n"...)
		return
	}
	w.Buf = append(w.Buf, "*-1\r\n"...)
}

// Array appends an array header of n elements.
func (w *Writer) Array(n int) { w.Buf = appendHeader(w.Buf, '*', n) }

// Map appends a map header of n key/value pairs (a flat array of 2n in RESP2).
func (w *Writer) Map(n int) {
	if w.Proto >= 3 {
		w.Buf = appendHeader(w.Buf, '%', n)
		return
	}
	w.Buf = appendHeader(w.Buf, '*', 2*n)
}

// Set appends a set header (an array in RESP2).
func (w *Writer) Set(n int) {
	if w.Proto >= 3 {
		w.Buf = appendHeader(w.Buf, '~', n)
		return
	}
	w.Buf = appendHeader(w.Buf, '*', n)
}

// Push appends a push header (an array in RESP2).
func (w *Writer) Push(n int) {
	if w.Proto >= 3 {
		w.Buf = appendHeader(w.Buf, '>', n)
		return
	}
	w.Buf = appendHeader(w.Buf, '*', n)
}

// Bool appends a boolean (#t/#f; :1/:0 in RESP2).
func (w *Writer) Bool(b bool) {
	if w.Proto >= 3 {
		if b {
			w.Buf = append(w.Buf, "#t\r\n"...)
		} else {
			w.Buf = append(w.Buf, "#f\r\n"...)
		}
		return
	}
	if b {
		w.Buf = append(w.Buf, ":1\r\n"...)
	} else {
		w.Buf = append(w.Buf, ":0\r\n"...)
	}
}

// Double appends a double: RESP3 ",<v>", RESP2 a bulk string, formatted
// as Redis 7.0 does (%.17g; inf, -inf, nan).
func (w *Writer) Double(f float64) {
	var tmp [32]byte
	s := AppendDouble(tmp[:0], f)
	if w.Proto >= 3 {
		w.Buf = append(w.Buf, ',')
		w.Buf = append(w.Buf, s...)
		w.Buf = append(w.Buf, '\r', '\n')
		return
	}
	w.Bulk(s)
}

// BigNumber appends a RESP3 big number (a bulk string in RESP2).
func (w *Writer) BigNumber(digits []byte) {
	if w.Proto >= 3 {
		w.Buf = append(w.Buf, '(')
		w.Buf = append(w.Buf, digits...)
		w.Buf = append(w.Buf, '\r', '\n')
		return
	}
	w.Bulk(digits)
}

// Verbatim appends a RESP3 verbatim string with a 3-letter format such as
// "txt" (a bulk string in RESP2).
func (w *Writer) Verbatim(format string, b []byte) {
	if w.Proto >= 3 {
		w.Buf = appendHeader(w.Buf, '=', len(b)+4)
		w.Buf = append(w.Buf, format...)
		w.Buf = append(w.Buf, ':')
		w.Buf = append(w.Buf, b...)
		w.Buf = append(w.Buf, '\r', '\n')
		return
	}
	w.Bulk(b)
}

// Raw appends pre-encoded protocol bytes.
func (w *Writer) Raw(b []byte) { w.Buf = append(w.Buf, b...) }

// Deferred marks a place for a header whose count is not known yet.
type Deferred int

// Defer reserves room for an aggregate header written later by Finish.
func (w *Writer) Defer() Deferred { return Deferred(len(w.Buf)) }

// FinishArray inserts an array header of n elements at mark d.
func (w *Writer) FinishArray(d Deferred, n int) { w.insertHeader(d, '*', n) }

// FinishMap inserts a map header of n pairs at mark d.
func (w *Writer) FinishMap(d Deferred, n int) {
	if w.Proto >= 3 {
		w.insertHeader(d, '%', n)
		return
	}
	w.insertHeader(d, '*', 2*n)
}

// FinishSet inserts a set header of n elements at mark d.
func (w *Writer) FinishSet(d Deferred, n int) {
	if w.Proto >= 3 {
		w.insertHeader(d, '~', n)
		return
	}
	w.insertHeader(d, '*', n)
}

func (w *Writer) insertHeader(d Deferred, kind byte, n int) {
	var tmp [24]byte
	h := appendHeader(tmp[:0], kind, n)
	at := int(d)
	w.Buf = append(w.Buf, h...) // grow
	copy(w.Buf[at+len(h):], w.Buf[at:len(w.Buf)-len(h)])
	copy(w.Buf[at:], h)
}

func appendHeader(b []byte, kind byte, n int) []byte {
	if n >= 0 && n < 10 {
		return append(b, kind, byte('0'+n), '\r', '\n')
	}
	b = append(b, kind)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '\r', '\n')
}

// AppendDouble formats f as Redis 7.0's addReplyDouble: "inf", "-inf",
// "nan", integral values in a plain form, others with %.17g.
func AppendDouble(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	case math.IsNaN(f):
		return append(b, "nan"...)
	}
	return strconv.AppendFloat(b, f, 'g', 17, 64)
}
