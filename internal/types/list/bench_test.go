package list

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
)

// elem10 writes a 10-byte non-numeric element for i into b.
func elem10(b []byte, i int) []byte {
	b = append(b[:0], 'e')
	s := strconv.AppendInt(b[1:1], int64(1e9+i), 10)
	return append(b, s[1:]...) // "e" + 9 digits
}

func heapInuse() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// benchMemory reports HeapInuse growth per element for n pushes.
func benchMemory(b *testing.B, fill int, n int, val func(buf []byte, i int) []byte) {
	var buf []byte
	for range b.N {
		before := heapInuse()
		l := New(fill, 0)
		for i := range n {
			buf = val(buf, i)
			l.Push(Tail, buf)
		}
		after := heapInuse()
		b.ReportMetric(float64(after-before)/float64(n), "heap-B/elem")
		b.ReportMetric(float64(l.MemoryUsage())/float64(n), "est-B/elem")
		runtime.KeepAlive(l)
	}
}

// BenchmarkMemory10B: 1M 10-byte elements, list-max-listpack-size -2.
// Run with -benchtime=1x.
func BenchmarkMemory10B(b *testing.B) {
	benchMemory(b, -2, 1_000_000, elem10)
}

// BenchmarkMemory10BInt: 1M 10-digit integers (stored as int32/int64).
func BenchmarkMemory10BInt(b *testing.B) {
	benchMemory(b, -2, 1_000_000, func(buf []byte, i int) []byte {
		return strconv.AppendInt(buf[:0], int64(1e9+i), 10)
	})
}

// BenchmarkMemory10BFill128: 1M 10-byte elements, 128 entries per node.
func BenchmarkMemory10BFill128(b *testing.B) {
	benchMemory(b, 128, 1_000_000, elem10)
}

// BenchmarkMemory10BHead: 1M 10-byte elements pushed at the head.
func BenchmarkMemory10BHead(b *testing.B) {
	var buf []byte
	for range b.N {
		before := heapInuse()
		l := New(-2, 0)
		for i := range 1_000_000 {
			buf = elem10(buf, i)
			l.Push(Head, buf)
		}
		b.ReportMetric(float64(heapInuse()-before)/1e6, "heap-B/elem")
		runtime.KeepAlive(l)
	}
}

func filled(n int) *List {
	l := New(-2, 0)
	var buf []byte
	for i := range n {
		buf = elem10(buf, i)
		l.Push(Tail, buf)
	}
	return l
}

func BenchmarkPushTail(b *testing.B) {
	l := New(-2, 0)
	v := []byte("abcdefghij")
	b.ReportAllocs()
	for range b.N {
		l.Push(Tail, v)
	}
}

func BenchmarkPushHead(b *testing.B) {
	l := New(-2, 0)
	v := []byte("abcdefghij")
	b.ReportAllocs()
	for range b.N {
		l.Push(Head, v)
	}
}

func BenchmarkPushInt(b *testing.B) {
	l := New(-2, 0)
	v := []byte("1234567890")
	b.ReportAllocs()
	for range b.N {
		l.Push(Tail, v)
	}
}

// BenchmarkPushPopQueue: RPUSH + LPOP on a 10k-element list.
func BenchmarkPushPopQueue(b *testing.B) {
	l := filled(10000)
	v := []byte("abcdefghij")
	var buf []byte
	b.ReportAllocs()
	for range b.N {
		l.Push(Tail, v)
		buf, _ = l.Pop(Head, buf[:0])
	}
}

// BenchmarkPushPopStack: LPUSH + LPOP on a 10k-element list.
func BenchmarkPushPopStack(b *testing.B) {
	l := filled(10000)
	v := []byte("abcdefghij")
	var buf []byte
	b.ReportAllocs()
	for range b.N {
		l.Push(Head, v)
		buf, _ = l.Pop(Head, buf[:0])
	}
}

// BenchmarkPopTail pops a 1M list from the tail, refilling as needed.
func BenchmarkPopTail(b *testing.B) {
	l := filled(1_000_000)
	var buf []byte
	b.ReportAllocs()
	for range b.N {
		var ok bool
		buf, ok = l.Pop(Tail, buf[:0])
		if !ok {
			b.StopTimer()
			l = filled(1_000_000)
			b.StartTimer()
		}
	}
}

// BenchmarkIndex: LINDEX at a random index of a 1M-element list.
func BenchmarkIndex(b *testing.B) {
	l := filled(1_000_000)
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for range b.N {
		if _, ok := l.Index(r.IntN(1_000_000)); !ok {
			b.Fatal("missing")
		}
	}
}

// BenchmarkIndexNearEnd: LINDEX 100 / -100 on a 1M-element list.
func BenchmarkIndexNearEnd(b *testing.B) {
	l := filled(1_000_000)
	b.ReportAllocs()
	for i := range b.N {
		idx := 100
		if i&1 == 1 {
			idx = -100
		}
		l.Index(idx)
	}
}

// BenchmarkRange100: LRANGE of 100 elements in the middle of a 1M list.
func BenchmarkRange100(b *testing.B) {
	l := filled(1_000_000)
	var out []byte
	b.ReportAllocs()
	for range b.N {
		out = out[:0]
		l.Range(500_000, 500_099, false, func(e Entry) bool {
			out = e.Append(out)
			return true
		})
	}
}

// BenchmarkIterate: full scan per element.
func BenchmarkIterate(b *testing.B) {
	l := filled(1_000_000)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for n < b.N {
		it := l.Iter(0, false)
		for _, ok := it.Next(); ok && n < b.N; _, ok = it.Next() {
			n++
		}
	}
}
