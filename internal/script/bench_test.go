package script

import (
	"testing"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// benchHost answers every command with a bulk string, as GET of a small
// value would.
type benchHost struct{}

func (benchHost) Call(r *Run, argv [][]byte, w *resp.Writer) { w.BulkString("value") }
func (benchHost) ACLCheck(*Run, [][]byte) (bool, bool)       { return true, true }
func (benchHost) Log(int, string)                            {}
func (benchHost) ErrorReply(*Run, string, bool)              {}

// BenchmarkEvalSHA is EVALSHA of a cached one-call script: lookup by SHA,
// run on a pooled state, convert the reply.
func BenchmarkEvalSHA(b *testing.B) {
	e := New(Config{Host: benchHost{}})
	s, err := e.Load([]byte("return redis.call('get', KEYS[1])"))
	if err != nil {
		b.Fatal(err)
	}
	sha := []byte(s.SHA)
	keys := [][]byte{[]byte("key:1")}
	w := resp.NewWriter()
	r := &Run{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.Reset()
		e.Eval(r, e.Lookup(sha), keys, nil, w)
	}
	if string(w.Buf) != "$5\r\nvalue\r\n" {
		b.Fatalf("reply %q", w.Buf)
	}
}

// BenchmarkEvalSHAParallel runs the same from several goroutines, each
// taking its own pooled state.
func BenchmarkEvalSHAParallel(b *testing.B) {
	e := New(Config{Host: benchHost{}})
	s, err := e.Load([]byte("return redis.call('get', KEYS[1])"))
	if err != nil {
		b.Fatal(err)
	}
	sha := []byte(s.SHA)
	keys := [][]byte{[]byte("key:1")}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w := resp.NewWriter()
		r := &Run{}
		for pb.Next() {
			w.Reset()
			e.Eval(r, e.Lookup(sha), keys, nil, w)
		}
	})
}

// BenchmarkNewState is the cost of a Lua state with the sandbox, paid
// when the pool is empty.
func BenchmarkNewState(b *testing.B) {
	e := New(Config{Host: benchHost{}})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		newVM(e, modeEval).close()
	}
}
