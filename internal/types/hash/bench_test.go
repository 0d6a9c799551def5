package hash

import (
	"runtime"
	"strconv"
	"testing"
	"time"
)

// heapInuse returns HeapInuse after a full collection.
func heapInuse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// gcTime returns how long a forced full collection takes with the current
// heap live.
func gcTime() time.Duration {
	start := time.Now()
	runtime.GC()
	return time.Since(start)
}

func fieldValue(fb, vb []byte, i int) ([]byte, []byte) {
	fb = strconv.AppendInt(append(fb[:0], "field:"...), int64(i), 10)
	vb = strconv.AppendInt(append(vb[:0], "value:"...), int64(i), 10)
	return fb, vb
}

// BenchmarkMemoryHash1M reports the heap growth per field of one hash with
// 1M fields "field:%d" -> "value:%d" (Redis 7.0.15: about 70-90 B/field).
func BenchmarkMemoryHash1M(b *testing.B) {
	const n = 1_000_000
	for b.Loop() {
		before := heapInuse()
		var h Hash
		var fb, vb []byte
		for i := range n {
			fb, vb = fieldValue(fb, vb, i)
			h.Set(fb, vb, DefaultLimits())
		}
		after := heapInuse()
		b.ReportMetric(float64(after-before)/n, "B/field")
		b.ReportMetric(float64(h.MemoryUsage())/n, "est-B/field")
		b.ReportMetric(float64(gcTime().Microseconds()), "µs/GC")
		runtime.KeepAlive(&h)
	}
}

// BenchmarkMemoryHashes100kx10 reports the heap growth of 100,000 listpack
// hashes of 10 fields each, per field and per hash.
func BenchmarkMemoryHashes100kx10(b *testing.B) {
	const hashes, fields = 100_000, 10
	for b.Loop() {
		before := heapInuse()
		hs := make([]*Hash, hashes)
		var fb, vb []byte
		for i := range hs {
			h := new(Hash)
			for j := range fields {
				fb, vb = fieldValue(fb, vb, j)
				h.Set(fb, vb, DefaultLimits())
			}
			hs[i] = h
		}
		after := heapInuse()
		b.ReportMetric(float64(after-before)/(hashes*fields), "B/field")
		b.ReportMetric(float64(after-before)/hashes, "B/hash")
		b.ReportMetric(float64(gcTime().Microseconds()), "µs/GC")
		runtime.KeepAlive(hs)
	}
}

func BenchmarkSetHashtable(b *testing.B) {
	var h Hash
	var fb, vb []byte
	const n = 1 << 16
	i := 0
	for b.Loop() {
		fb, vb = fieldValue(fb, vb, i&(n-1))
		h.Set(fb, vb, DefaultLimits())
		i++
	}
}

func BenchmarkGetHashtable(b *testing.B) {
	var h Hash
	var fb, vb []byte
	const n = 1 << 16
	for i := range n {
		fb, vb = fieldValue(fb, vb, i)
		h.Set(fb, vb, DefaultLimits())
	}
	i := 0
	for b.Loop() {
		fb, _ = fieldValue(fb, vb, i&(n-1))
		if _, ok := h.Get(fb); !ok {
			b.Fatal("missing")
		}
		i++
	}
}

func BenchmarkGetListpack(b *testing.B) {
	var h Hash
	var fb, vb []byte
	for i := range 512 { // a full listpack at the default limit
		fb, vb = fieldValue(fb, vb, i)
		h.Set(fb, vb, DefaultLimits())
	}
	i := 0
	for b.Loop() {
		fb, _ = fieldValue(fb, vb, i&511)
		if _, ok := h.Get(fb); !ok {
			b.Fatal("missing")
		}
		i++
	}
}

func BenchmarkRange(b *testing.B) {
	var h Hash
	var fb, vb []byte
	for i := range 10000 {
		fb, vb = fieldValue(fb, vb, i)
		h.Set(fb, vb, DefaultLimits())
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		h.Range(func(f, v []byte) bool { n += len(f) + len(v); return true })
	}
}
