package keyspace

import (
	"strconv"
	"testing"
)

// DataBytes and HeldBytes follow writes, deletes and flushes, and
// SampleLocked draws only keys with an expire when asked to.
func TestEvictionAccounting(t *testing.T) {
	ks := New(Options{Shards: 4, Now: func() int64 { return 1700000000000 }})
	db := ks.DB(0)
	ks.LockAll()
	defer ks.ReleaseAll()
	big := make([]byte, bigLimit+1)
	for i := 0; i < 1000; i++ {
		k := []byte("k" + strconv.Itoa(i))
		switch {
		case i%100 == 0:
			db.SetString(k, big, NoExpire, false)
		case i%2 == 0:
			db.SetString(k, []byte("value"), 1800000000000, false)
		default:
			db.SetString(k, []byte("value"), NoExpire, false)
		}
	}
	if d, h := ks.DataBytes(), ks.HeldBytes(); d <= 10*int64(len(big)) || h < d {
		t.Fatalf("DataBytes %d HeldBytes %d after 1000 writes", d, h)
	}
	for si := 0; si < ks.NumShards(); si++ {
		for _, s := range ks.SampleLocked(si, 0, true, 50, nil) {
			if s.ExpireAt == 0 {
				t.Fatalf("volatile sample %q has no expire", s.Key)
			}
		}
	}
	for i := 0; i < 1000; i += 2 {
		db.Delete([]byte("k" + strconv.Itoa(i)))
	}
	ks.shards[0].maintain()
	for i := 1; i < 1000; i += 2 {
		db.Delete([]byte("k" + strconv.Itoa(i)))
	}
	if d, h := ks.DataBytes(), ks.HeldBytes(); d != 0 || h != 0 {
		t.Errorf("after deleting every key: DataBytes %d HeldBytes %d", d, h)
	}
	db.SetString([]byte("x"), big, NoExpire, false)
	db.Flush()
	if d, h := ks.DataBytes(), ks.HeldBytes(); d != 0 || h != 0 {
		t.Errorf("after FLUSH: DataBytes %d HeldBytes %d", d, h)
	}
}
