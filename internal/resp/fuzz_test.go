package resp

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// fuzzResult is what a reader made of a byte stream: the commands, the
// protocol error that ended it (if any) and the bytes left unparsed.
type fuzzResult struct {
	cmds     [][]string
	err      string
	buffered int
}

// fuzzDrain parses what r holds and checks the invariants on every
// command: arguments never extend beyond the input, multibulk arguments
// are sub-slices of the input and capped at their length.
func fuzzDrain(t *testing.T, r *Reader, input []byte, res *fuzzResult) bool {
	for {
		multibulk := r.pending > 0 || (r.r < r.w && r.buf[r.r] == '*')
		argv, err := r.Next()
		if err == ErrIncomplete {
			return true
		}
		if err != nil {
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("Next returned %T %v, want *ProtocolError", err, err)
			}
			res.err = pe.Msg
			return false
		}
		total := 0
		cmd := make([]string, len(argv))
		for i, a := range argv {
			total += len(a)
			if len(a) > len(input) {
				t.Fatalf("argument of %d bytes from %d bytes of input", len(a), len(input))
			}
			if multibulk {
				if cap(a) != len(a) {
					t.Fatalf("multibulk argument with cap %d > len %d", cap(a), len(a))
				}
				if !bytes.Contains(input, a) {
					t.Fatalf("multibulk argument %q is not in the input", a)
				}
			}
			cmd[i] = string(a)
		}
		if total > len(input) {
			t.Fatalf("arguments total %d bytes from %d bytes of input", total, len(input))
		}
		res.cmds = append(res.cmds, cmd)
	}
}

// FuzzReader feeds arbitrary bytes to the Reader at once, in random
// chunks through Feed, in random reads through Fill, and in random reads
// into a lent buffer (FillLent, Release). It must never panic, never
// return arguments beyond its input, and (resumability) the four ways
// must give the same commands, the same error and the same
// unparsed remainder. Inputs over InlineMaxSize are only checked for
// panics and invariants: the "too big" errors depend on how much is
// buffered, in Redis too.
func FuzzReader(f *testing.F) {
	f.Add([]byte(mixedStream), uint64(1), false, false)
	f.Add([]byte(mb("SET", "k", "v")+"PING\r\n"), uint64(2), false, false)
	f.Add([]byte("*1\r\n$3\r\nPINGXX*1\r\n$4\r\nPING\r\n"), uint64(3), false, false)
	f.Add([]byte("*2\r\n$1\r\na\r\n:1\r\n"), uint64(4), false, false)
	f.Add([]byte("SET \"a\\x41\" 'b\\'c'\r\nGET\t\"x\"y\r\n"), uint64(5), false, false)
	f.Add([]byte("*11\r\n*1\r\n$16385\r\n"), uint64(6), true, false)
	f.Add([]byte("*1\r\n$1001\r\n"), uint64(7), false, true)
	f.Add([]byte("*0\r\n*-1\r\n\r\n\n*3000000000\r\n"), uint64(8), false, false)
	f.Add([]byte("PI\x00NG\r\n*1\x00\r\n"), uint64(9), false, false)
	f.Add([]byte("*1\r\n$40000\r\n"+string(bytes.Repeat([]byte("z"), 40000))+"\r\n"), uint64(10), false, false)
	f.Fuzz(func(t *testing.T, data []byte, seed uint64, auth, smallBulk bool) {
		newReader := func() *Reader {
			r := NewReader()
			r.AuthRequired = auth
			if smallBulk {
				r.MaxBulk = 1000
			}
			return r
		}

		var whole fuzzResult
		r := newReader()
		r.Feed(data)
		if fuzzDrain(t, r, data, &whole) {
			whole.buffered = r.Buffered()
		}

		rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		var fed fuzzResult
		r = newReader()
		for rest := data; len(rest) > 0; {
			n := 1 + rng.IntN(min(len(rest), 64))
			if rng.IntN(8) == 0 {
				n = len(rest)
			}
			r.Feed(rest[:n])
			rest = rest[n:]
			if !fuzzDrain(t, r, data, &fed) {
				break
			}
		}
		if fed.err == "" {
			fed.buffered = r.Buffered()
		}

		var filled fuzzResult
		r = newReader()
		src := &randReader{data: data, rng: rng}
		for {
			n, err := r.Fill(src)
			if n > 0 && !fuzzDrain(t, r, data, &filled) {
				break
			}
			if err != nil {
				break
			}
		}
		if filled.err == "" {
			filled.buffered = r.Buffered()
		}

		// As an event loop reads: into a buffer lent to the reader for each
		// read and its batch, then released and overwritten (by the next
		// connection) before the reader's next read.
		var lentRes fuzzResult
		r = newReader()
		src = &randReader{data: data, rng: rng}
		lent := make([]byte, 512+rng.IntN(1024))
		for {
			n, err := r.FillLent(src, lent)
			ok := n == 0 || fuzzDrain(t, r, data, &lentRes)
			r.Release()
			if r.Lent() {
				t.Fatal("Lent after Release")
			}
			for i := range lent {
				lent[i] = 'x'
			}
			if !ok || err != nil {
				break
			}
		}
		if lentRes.err == "" {
			lentRes.buffered = r.Buffered()
		}

		if len(data) > InlineMaxSize {
			return
		}
		for _, other := range []struct {
			name string
			res  fuzzResult
		}{{"Feed in chunks", fed}, {"Fill in random reads", filled}, {"FillLent in random reads", lentRes}} {
			if !equalCmds(whole.cmds, other.res.cmds) || whole.err != other.res.err || whole.buffered != other.res.buffered {
				t.Fatalf("%s differs from one Feed:\n got %q err %q left %d\nwant %q err %q left %d",
					other.name, other.res.cmds, other.res.err, other.res.buffered, whole.cmds, whole.err, whole.buffered)
			}
		}
	})
}

type randReader struct {
	data []byte
	rng  *rand.Rand
}

func (r *randReader) Read(b []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(b), len(r.data), 1+r.rng.IntN(100))
	copy(b, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// FuzzShortHeader: whenever the header fast path accepts a header line, the
// general path (lineEnd, then ParseInt) reads the same number and line end.
func FuzzShortHeader(f *testing.F) {
	for _, s := range []string{"$3\r\n", "*2\r\n", "$0\r\n", "$01\r\n", "$-1\r\n", "$123456789\r\n", "$1234567890\r\n", "$1\x002\r\n", "$12\r", "*\r\n", "$+1\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, cr, ok := shortHeader(b)
		if !ok || (b[0] != '*' && b[0] != '$') { // the callers' first byte
			return
		}
		if want := lineEnd(b, '\r'); want != cr || cr+2 > len(b) {
			t.Fatalf("%q: fast path line end %d, general path %d", b, cr, want)
		}
		v, vok := ParseInt(b[1:cr])
		if !vok || v != n {
			t.Fatalf("%q: fast path %d, ParseInt %d %v", b, n, v, vok)
		}
	})
}
