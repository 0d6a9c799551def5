// Package resp implements the Redis serialization protocol: a resumable,
// zero-copy request reader (RESP multibulk and inline commands) and an
// append-style reply writer for RESP2 and RESP3.
//
// Requests, as clients send them:
//
//	*<argc>\r\n  then argc times  $<len>\r\n<len bytes>\r\n
//	or an inline line:  SET key "quoted \x41 value"\r\n
//
// The Reader keeps one growing buffer per connection. Parsed arguments are
// sub-slices of that buffer and stay valid until the next call to Fill,
// FillLent, Release or Compact: the server executes every complete command
// of a batch, then flushes the replies once, then reads again.
//
// A reader that holds nothing can also read into a buffer lent by its
// caller (FillLent): an event loop lends one buffer to all its
// connections in turn, so a connection whose requests arrive whole (the
// usual case) owns no read buffer at all; Release hands the buffer back,
// moving a partial request into a buffer of the reader's own.
package resp

import (
	"bytes"
	"errors"
	"io"
)

// Limits fixed by the protocol (Redis's server.h).
const (
	// InlineMaxSize bounds an inline request line and a length header line.
	InlineMaxSize = 64 * 1024
	// bigArg is the bulk length from which the reader remembers how many
	// bytes the argument still needs, so that Fill's buffer growth stops
	// at the argument's exact end.
	bigArg = 32 * 1024
	// initBuf is the size of a connection's first read buffer: small, so
	// that thousands of connections cost little (and their arrival little
	// garbage collection); it doubles as requests need.
	initBuf = 4 * 1024
	// minBuf is the size a grown buffer shrinks back to once idle (only
	// from above 4*minBuf, so a client sending 16 KB values keeps its room).
	minBuf = 16 * 1024
	// maxMultibulk is the largest accepted multibulk count (INT_MAX).
	maxMultibulk = 1<<31 - 1
	// maxNeed bounds the recorded size of a pending argument so that
	// offsets computed from it cannot overflow.
	maxNeed = 1 << 40
)

// ProtocolError is a malformed request; after it the connection is
// closed.
type ProtocolError struct {
	// Msg is the exact error reply Redis sends, without the leading '-'
	// ("ERR Protocol error: invalid bulk length"), ready for Writer.Error.
	Msg string
	// Reason is the short text Redis logs at verbose level, as in
	// "Protocol error (invalid mbulk count) from client: ..."
	// (setProtocolError in src/networking.c).
	Reason string
}

func (e *ProtocolError) Error() string { return e.Msg }

// ErrIncomplete is returned by Next when the buffer holds no complete command.
var ErrIncomplete = errors.New("resp: incomplete command")

// Reader parses requests out of a connection's byte stream.
type Reader struct {
	buf  []byte
	r, w int // unread data is buf[r:w]

	// MaxBulk is proto-max-bulk-len: the largest accepted bulk argument.
	MaxBulk int64
	// AuthRequired makes the reader apply Redis's limits for
	// unauthenticated clients (multibulk count ≤ 10, bulk ≤ 16384).
	AuthRequired bool

	// Resumable state of a partly received multibulk command. Offsets are
	// relative to r so that compaction does not invalidate them.
	pending  int   // arguments still expected; 0 = not inside a multibulk
	bulkLen  int64 // length of the bulk being read, -1 if its header is unread
	pos      int   // parse position relative to r
	offs     []int // start,end pairs of the arguments parsed so far
	argv     [][]byte
	needMore int  // bytes beyond w known to be needed to finish the argument
	last     int  // bytes consumed by the last Next
	lent     bool // buf belongs to FillLent's caller
}

// NewReader returns a reader with the default bulk limit (512MB).
func NewReader() *Reader {
	return &Reader{MaxBulk: 512 << 20, bulkLen: -1}
}

// Buffered returns the number of unparsed bytes held.
func (p *Reader) Buffered() int { return p.w - p.r }

// Cap returns the capacity of the read buffer (for CLIENT LIST qbuf fields).
func (p *Reader) Cap() int { return cap(p.buf) }

// Fill reads once from rd into the buffer, compacting and growing it as
// needed. Arguments returned by Next before the call become invalid.
//
// The buffer grows by doubling when it is full, and while a big argument
// of known length is being read the growth stops at its exact end, so
// the argument is read with amortized linear copying into a buffer that
// fits it, and the memory held stays proportional to the bytes the client
// has really sent (a client declaring a 500MB argument and sending three
// bytes does not get 500MB allocated).
func (p *Reader) Fill(rd io.Reader) (int, error) {
	p.lent = false // a lent buffer not released is the reader's from now on
	p.Compact()
	free := len(p.buf) - p.w
	if free < 512 && (p.needMore == 0 || p.needMore > free) {
		size := max(2*len(p.buf), initBuf)
		if p.needMore > 0 && p.w+p.needMore < size {
			size = p.w + p.needMore
		}
		nb := make([]byte, size)
		copy(nb, p.buf[:p.w])
		p.buf = nb
	}
	n, err := rd.Read(p.buf[p.w:])
	p.w += n
	return n, err
}

// FillLent is Fill for a reader that may use buf, lent by the caller
// until Release: a reader holding no bytes and no buffer of its own reads
// into buf; any other reads into its own buffer as Fill does. Either way
// the caller must call Release before lending buf to another reader.
func (p *Reader) FillLent(rd io.Reader, buf []byte) (int, error) {
	// (A reader with a lent buffer not released, or inside a multibulk
	// command, has a buffer: only a released, drained reader has none.)
	if p.buf != nil || len(buf) < 512 {
		return p.Fill(rd)
	}
	p.buf, p.r, p.w, p.lent = buf, 0, 0, true
	n, err := rd.Read(buf)
	p.w = n
	return n, err
}

// Release ends the use of a buffer lent by FillLent: the reader drops it,
// keeping the bytes not yet parsed (a partial request) in a buffer of its
// own. Arguments returned by Next before the call become invalid.
func (p *Reader) Release() {
	if !p.lent {
		return
	}
	p.lent = false
	n := p.w - p.r
	if n == 0 {
		p.buf, p.r, p.w = nil, 0, 0
		return
	}
	nb := make([]byte, max(initBuf, 2*n))
	copy(nb, p.buf[p.r:p.w])
	p.buf, p.r, p.w = nb, 0, n
}

// Lent reports whether the reader is using a lent buffer.
func (p *Reader) Lent() bool { return p.lent }

// Feed appends bytes to the buffer (for tests and in-memory sources).
func (p *Reader) Feed(b []byte) {
	p.lent = false
	p.Compact()
	if need := p.w + len(b); need > cap(p.buf) {
		nb := make([]byte, p.w, max(2*cap(p.buf), need, initBuf))
		copy(nb, p.buf[:p.w])
		p.buf = nb
	}
	p.buf = append(p.buf[:p.w], b...)
	p.w = len(p.buf)
}

// Compact moves unparsed data to the front of the buffer and shrinks a
// buffer that grew for a large argument once it is no longer needed.
func (p *Reader) Compact() {
	if p.r == 0 {
		return
	}
	n := copy(p.buf, p.buf[p.r:p.w])
	p.r, p.w = 0, n
	if cap(p.buf) > 4*minBuf && n < minBuf && p.pending == 0 {
		nb := make([]byte, minBuf)
		copy(nb, p.buf[:n])
		p.buf = nb
	}
}

// Next parses the next complete command. It returns ErrIncomplete when
// more input is needed, a *ProtocolError for malformed input, and for an
// empty request (a blank inline line, "*0" or "*-1") an empty argv.
func (p *Reader) Next() ([][]byte, error) {
	r0 := p.r
	argv, err := p.next()
	p.last = p.r - r0
	return argv, err
}

// LastLen returns how many bytes the last command returned by Next took.
func (p *Reader) LastLen() int { return p.last }

// LastRaw returns the bytes of the last command returned by Next, as
// received (a replica proxies its master's stream verbatim). The slice
// aliases the reader's buffer: it is valid until the next Fill or Feed.
func (p *Reader) LastRaw() []byte { return p.buf[p.r-p.last : p.r] }

func (p *Reader) next() ([][]byte, error) {
	if p.r == p.w {
		return nil, ErrIncomplete
	}
	if p.pending == 0 && p.buf[p.r] != '*' {
		return p.inline()
	}
	return p.multibulk()
}

func (p *Reader) inline() ([][]byte, error) {
	data := p.buf[p.r:p.w]
	nl := lineEnd(data, '\n')
	if nl < 0 {
		if len(data) > InlineMaxSize {
			return nil, &ProtocolError{Msg: "ERR Protocol error: too big inline request", Reason: "too big inline request"}
		}
		return nil, ErrIncomplete
	}
	line := data[:nl]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	argv, ok := SplitArgs(line, p.argv[:0])
	if !ok {
		return nil, &ProtocolError{Msg: "ERR Protocol error: unbalanced quotes in request", Reason: "unbalanced quotes in inline request"}
	}
	p.argv = argv
	p.r += nl + 1
	return argv, nil
}

// multibulk parses "*N\r\n" followed by N bulk strings, resuming where the
// previous call stopped.
func (p *Reader) multibulk() ([][]byte, error) {
	if p.pending == 0 {
		data := p.buf[p.r:p.w]
		n, cr, ok := shortHeader(data)
		if !ok {
			cr = lineEnd(data, '\r')
			if cr < 0 {
				if len(data) > InlineMaxSize {
					return nil, &ProtocolError{Msg: "ERR Protocol error: too big mbulk count string", Reason: "too big mbulk count string"}
				}
				return nil, ErrIncomplete
			}
			if cr+2 > len(data) {
				return nil, ErrIncomplete
			}
			n, ok = ParseInt(data[1:cr])
		}
		if !ok || n > maxMultibulk {
			return nil, &ProtocolError{Msg: "ERR Protocol error: invalid multibulk length", Reason: "invalid mbulk count"}
		}
		if n > 10 && p.AuthRequired {
			return nil, &ProtocolError{Msg: "ERR Protocol error: unauthenticated multibulk length", Reason: "unauth mbulk count"}
		}
		if n <= 0 {
			p.r += cr + 2
			return p.argv[:0], nil
		}
		p.pending = int(n)
		p.pos = cr + 2
		p.bulkLen = -1
		p.offs = p.offs[:0]
	}
	for p.pending > 0 {
		data := p.buf[p.r:p.w]
		if p.bulkLen < 0 {
			rest := data[p.pos:]
			n, cr, ok := shortHeader(rest)
			if !ok || rest[0] != '$' {
				cr = lineEnd(rest, '\r')
				if cr < 0 {
					if len(rest) > InlineMaxSize {
						return nil, p.fail("ERR Protocol error: too big bulk count string", "too big bulk count string")
					}
					return nil, ErrIncomplete
				}
				if cr+2 > len(rest) {
					return nil, ErrIncomplete
				}
				if rest[0] != '$' {
					return nil, p.fail("ERR Protocol error: expected '$', got '"+string(rest[0])+"'", "expected $ but got something else")
				}
				n, ok = ParseInt(rest[1:cr])
			}
			if !ok || n < 0 || n > p.MaxBulk {
				return nil, p.fail("ERR Protocol error: invalid bulk length", "invalid bulk length")
			}
			if n > 16384 && p.AuthRequired {
				return nil, p.fail("ERR Protocol error: unauthenticated bulk length", "unauth bulk length")
			}
			p.bulkLen = n
			p.pos += cr + 2
		}
		avail := int64(len(data) - p.pos)
		if avail-2 < p.bulkLen { // not bulkLen+2: MaxBulk may be as large as LONG_MAX
			if p.bulkLen >= bigArg {
				p.needMore = int(min(p.bulkLen-avail, maxNeed) + 2)
			}
			return nil, ErrIncomplete
		}
		p.needMore = 0
		p.offs = append(p.offs, p.pos, p.pos+int(p.bulkLen))
		p.pos += int(p.bulkLen) + 2 // like Redis, the trailing CRLF is skipped unchecked
		p.bulkLen = -1
		p.pending--
	}
	argv := p.argv[:0]
	base := p.buf[p.r:]
	for i := 0; i < len(p.offs); i += 2 {
		argv = append(argv, base[p.offs[i]:p.offs[i+1]:p.offs[i+1]])
	}
	p.argv = argv
	p.r += p.pos
	p.pos = 0
	return argv, nil
}

func (p *Reader) fail(msg, reason string) error {
	p.pending = 0
	p.bulkLen = -1
	return &ProtocolError{Msg: msg, Reason: reason}
}

// shortHeader is the fast path for the usual header line, a type byte
// ('*' or '$', not checked) then 1 to 9 digits without a leading zero
// (or the single "0"), then CRLF: it returns the number and the index of
// the header's '\r', as lineEnd and ParseInt would. Anything else
// (incomplete, negative, longer, a NUL...) gives ok false and takes the
// general path, which decides.
func shortHeader(b []byte) (n int64, cr int, ok bool) {
	if len(b) < 4 {
		return 0, 0, false
	}
	c := b[1]
	if c < '0' || c > '9' {
		return 0, 0, false
	}
	n = int64(c - '0')
	i := 2
	if c != '0' {
		for ; i < len(b) && i < 10; i++ {
			d := b[i]
			if d < '0' || d > '9' {
				break
			}
			n = n*10 + int64(d-'0')
		}
	}
	if i+1 >= len(b) || b[i] != '\r' || b[i+1] != '\n' {
		return 0, 0, false
	}
	return n, i, true
}

// lineEnd returns the index of the first c in b, or -1. Like Redis, which
// finds line ends with strchr on its NUL-terminated query buffer, it does
// not look past a NUL byte: a NUL before the line end leaves the line
// unterminated (and the request waits until the "too big" limits).
func lineEnd(b []byte, c byte) int {
	i := bytes.IndexByte(b, c)
	if i > 0 && bytes.IndexByte(b[:i], 0) >= 0 {
		return -1
	}
	return i
}

// ParseInt parses a decimal int64 exactly as Redis's string2ll: an optional
// '-', no '+', no leading zeros, no spaces, no overflow.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	i := 0
	if b[0] == '-' {
		neg = true
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > 922337203685477580 || (v == 922337203685477580 && d > 8) {
			return 0, false // beyond 1<<63
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}
