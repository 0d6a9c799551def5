package keyspace

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestChunkReuseFitsRecord: a chunk emptied by compaction is reused only
// if the record being written fits in it. The first chunk of a table is
// small (4 KB); reusing it for a 12 KB record (a dense HyperLogLog) once
// sliced past its capacity and panicked in alloc.
func TestChunkReuseFitsRecord(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	ks := New(Options{Databases: 1, Shards: 1, Now: func() int64 { return 1 }})
	db := ks.DB(0)
	small := make([]byte, 40)
	big := make([]byte, 12304)
	for step := 0; step < 20000; step++ {
		ks.Lock([]int{0})
		k := []byte("k" + strconv.Itoa(rnd.IntN(300)))
		switch r := rnd.IntN(10); {
		case r < 5:
			db.SetString(k, small, NoExpire, false)
		case r < 8:
			db.Delete(k)
		default:
			db.SetString(k, big, NoExpire, true)
		}
		ks.Release([]int{0})
	}
}
