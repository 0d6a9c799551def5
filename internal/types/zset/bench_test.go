package zset

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
)

const benchMembers = 1_000_000

func benchMember(buf []byte, i int) []byte {
	return strconv.AppendInt(append(buf[:0], "member:"...), int64(i), 10)
}

// benchSet builds a set of n "member:%d" members with random scores, as
// redis-benchmark-style ZADD loads do.
func benchSet(n int, r *rand.Rand) *ZSet {
	lim := DefaultLimits()
	z := New(lim, 0, 0)
	var buf []byte
	for i := range n {
		buf = benchMember(buf, i)
		z.Insert(buf, r.Float64()*float64(n), lim)
	}
	return z
}

func heapInuse() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// BenchmarkBytesPerMember reports HeapInuse growth per member for 1M
// "member:%d" members with random scores. (Redis 7.0's skiplist encoding
// needs roughly 100+ bytes per member for the same load.)
func BenchmarkBytesPerMember(b *testing.B) {
	for _, n := range []int{benchMembers} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var perMember, reported float64
			for range b.N {
				r := rand.New(rand.NewPCG(1, 2))
				before := heapInuse()
				z := benchSet(n, r)
				after := heapInuse()
				perMember = float64(after-before) / float64(n)
				reported = float64(z.MemoryUsage()) / float64(n)
				runtime.KeepAlive(z)
			}
			b.ReportMetric(perMember, "heap-B/member")
			b.ReportMetric(reported, "MemoryUsage-B/member")
		})
	}
}

func BenchmarkInsert(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	z := benchSet(benchMembers, r)
	lim := DefaultLimits()
	var buf []byte
	b.ResetTimer()
	for i := range b.N {
		buf = benchMember(buf, benchMembers+i)
		z.Insert(buf, r.Float64()*benchMembers, lim)
	}
}

// BenchmarkUpdateDelete measures ZADD-updates and ZREM+ZADD churn at 1M.
func BenchmarkUpdate(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	z := benchSet(benchMembers, r)
	var buf []byte
	b.ResetTimer()
	for range b.N {
		buf = benchMember(buf, r.IntN(benchMembers))
		z.Update(buf, r.Float64()*benchMembers)
	}
}

func BenchmarkDeleteInsert(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	z := benchSet(benchMembers, r)
	lim := DefaultLimits()
	var buf []byte
	b.ResetTimer()
	for range b.N {
		buf = benchMember(buf, r.IntN(benchMembers))
		if z.Delete(buf) {
			z.Insert(buf, r.Float64()*benchMembers, lim)
		}
	}
}

func BenchmarkScore(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	z := benchSet(benchMembers, r)
	var buf []byte
	b.ResetTimer()
	for range b.N {
		buf = benchMember(buf, r.IntN(benchMembers))
		z.Score(buf)
	}
}

func BenchmarkRank(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	z := benchSet(benchMembers, r)
	var buf []byte
	b.ResetTimer()
	for range b.N {
		buf = benchMember(buf, r.IntN(benchMembers))
		z.Rank(buf, false)
	}
}

// BenchmarkRangeByRank10 is ZRANGE key i i+9 WITHSCORES at a random position.
func BenchmarkRangeByRank10(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	z := benchSet(benchMembers, r)
	n := 0
	b.ResetTimer()
	for range b.N {
		start := r.IntN(benchMembers - 10)
		it := z.RangeByRank(start, start+9, false)
		for m, _, ok := it.Next(); ok; m, _, ok = it.Next() {
			n += len(m)
		}
	}
}

// BenchmarkRangeByScoreLimit is ZRANGEBYSCORE key x +inf LIMIT 1000 10.
func BenchmarkRangeByScoreLimit(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	z := benchSet(benchMembers, r)
	n := 0
	b.ResetTimer()
	for range b.N {
		lo := r.Float64() * benchMembers * 0.9
		it := z.RangeByScore(ScoreRange{Min: lo, Max: inf}, false, 1000, 10)
		for m, _, ok := it.Next(); ok; m, _, ok = it.Next() {
			n += len(m)
		}
	}
}

func BenchmarkCountScore(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	z := benchSet(benchMembers, r)
	b.ResetTimer()
	for range b.N {
		lo := r.Float64() * benchMembers
		z.CountScore(ScoreRange{Min: lo, Max: lo + 1000})
	}
}

// BenchmarkIterateAll is the per-element cost of a full scan (RDB save).
func BenchmarkIterateAll(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	z := benchSet(benchMembers, r)
	n := 0
	b.ResetTimer()
	for i := 0; i < b.N; {
		it := z.All()
		for m, _, ok := it.Next(); ok && i < b.N; m, _, ok = it.Next() {
			n += len(m)
			i++
		}
	}
}

// BenchmarkListpackInsert128 builds 128-member sets in the small encoding.
func BenchmarkListpackInsert128(b *testing.B) {
	lim := DefaultLimits()
	r := rand.New(rand.NewPCG(1, 2))
	var buf []byte
	for range b.N {
		z := New(lim, 0, 0)
		for i := range 128 {
			buf = benchMember(buf, i)
			z.Insert(buf, r.Float64(), lim)
		}
	}
}
