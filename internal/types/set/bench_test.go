package set

import (
	"runtime"
	"strconv"
	"testing"
	"time"
)

func heapInuse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

func gcTime() time.Duration {
	start := time.Now()
	runtime.GC()
	return time.Since(start)
}

func member(buf []byte, i int) []byte {
	return strconv.AppendInt(append(buf[:0], "member:"...), int64(i), 10)
}

// BenchmarkMemorySet1M reports the heap growth per member of one set with
// 1M members "member:%d" (Redis 7.0.15: about 50-60 B/member).
func BenchmarkMemorySet1M(b *testing.B) {
	const n = 1_000_000
	for b.Loop() {
		before := heapInuse()
		var s Set
		var buf []byte
		for i := range n {
			buf = member(buf, i)
			s.Add(buf, DefaultMaxIntsetEntries)
		}
		after := heapInuse()
		b.ReportMetric(float64(after-before)/n, "B/member")
		b.ReportMetric(float64(s.MemoryUsage())/n, "est-B/member")
		b.ReportMetric(float64(gcTime().Microseconds()), "µs/GC")
		runtime.KeepAlive(&s)
	}
}

// BenchmarkMemoryIntset reports bytes per member of 10,000 intsets of 500
// small integers.
func BenchmarkMemoryIntset(b *testing.B) {
	const sets, n = 10_000, 500
	for b.Loop() {
		before := heapInuse()
		ss := make([]*Set, sets)
		var buf []byte
		for i := range ss {
			s := new(Set)
			for j := range n {
				buf = strconv.AppendInt(buf[:0], int64(j*7), 10)
				s.Add(buf, DefaultMaxIntsetEntries)
			}
			ss[i] = s
		}
		after := heapInuse()
		b.ReportMetric(float64(after-before)/(sets*n), "B/member")
		runtime.KeepAlive(ss)
	}
}

func BenchmarkAdd(b *testing.B) {
	var s Set
	var buf []byte
	i := 0
	for b.Loop() {
		buf = member(buf, i&(1<<16-1))
		s.Add(buf, DefaultMaxIntsetEntries)
		i++
	}
}

func BenchmarkIsMember(b *testing.B) {
	var s Set
	var buf []byte
	for i := range 1 << 16 {
		s.Add(member(buf, i), DefaultMaxIntsetEntries)
	}
	i := 0
	for b.Loop() {
		buf = member(buf, i&(1<<17-1))
		s.IsMember(buf)
		i++
	}
}
