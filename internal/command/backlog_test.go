package command

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestBacklogRing checks the backlog against a model: after any sequence
// of writes, since(off) returns the stream's bytes from off on, for every
// off the backlog still holds, and the first byte offset follows
// master_repl_offset - histlen + 1 (Redis's repl_backlog->offset).
func TestBacklogRing(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{1, 7, 64, 1000} {
		b := backlog{buf: make([]byte, size), off: 1}
		var stream []byte
		var offset int64
		for step := 0; step < 200; step++ {
			p := make([]byte, rnd.IntN(size*2+3))
			for i := range p {
				p[i] = byte(rnd.IntN(256))
			}
			stream = append(stream, p...)
			offset += int64(len(p))
			b.write(p, offset)
			hist := min(int64(len(stream)), int64(size))
			if b.histlen != hist || b.off != offset-hist+1 {
				t.Fatalf("size %d step %d: histlen %d off %d, want %d %d", size, step, b.histlen, b.off, hist, offset-hist+1)
			}
			for off := b.off; off <= offset+1; off++ {
				if got, want := b.since(off), stream[off-1:]; !bytes.Equal(got, want) {
					t.Fatalf("size %d step %d: since(%d) = %x, want %x", size, step, off, got, want)
				}
			}
		}
	}
}
