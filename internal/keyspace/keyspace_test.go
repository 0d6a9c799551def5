package keyspace

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

type fakeClock struct{ ms int64 }

func (c *fakeClock) now() int64 { return c.ms }

func newTestKS(shards int) (*Keyspace, *fakeClock) {
	c := &fakeClock{ms: 1_700_000_000_000}
	return New(Options{Databases: 16, Shards: shards, Now: c.now}), c
}

type modelVal struct {
	val []byte
	exp int64
}

// TestModel drives random writes, deletes, expires and clock moves
// against a map model and checks every key after each step.
func TestModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	for _, shards := range []int{1, 4} {
		ks, clk := newTestKS(shards)
		ks.LockAll()
		db := ks.DB(3)
		model := map[string]modelVal{}
		randVal := func() []byte {
			switch r.IntN(5) {
			case 0:
				return []byte(fmt.Sprint(r.Int64N(1000) - 500))
			case 1:
				return bytes.Repeat([]byte{'x'}, bigLimit+1+r.IntN(100))
			default:
				return bytes.Repeat([]byte{byte('a' + r.IntN(26))}, r.IntN(80))
			}
		}
		for step := 0; step < 12000; step++ {
			k := fmt.Sprintf("key:%d", r.IntN(3000))
			switch op := r.IntN(10); {
			case op < 5:
				v := randVal()
				ttl := NoExpire
				if r.IntN(4) == 0 {
					ttl = clk.ms + int64(r.IntN(1000)) + 1
				} else if r.IntN(5) == 0 {
					ttl = KeepTTL
				}
				db.SetString([]byte(k), v, ttl, false)
				m := model[k]
				if m.exp != 0 && m.exp < clk.ms {
					m.exp = 0
				}
				if ttl == KeepTTL {
					if _, ok := model[k]; !ok {
						m.exp = 0
					}
				} else {
					m.exp = ttl
				}
				m.val = v
				model[k] = m
			case op < 7:
				m, ok := model[k]
				live := ok && (m.exp == 0 || m.exp >= clk.ms)
				if got := db.Delete([]byte(k)); got != live {
					t.Fatalf("step %d: Delete(%s)=%v want %v", step, k, got, live)
				}
				delete(model, k)
			case op < 8:
				m, ok := model[k]
				live := ok && (m.exp == 0 || m.exp >= clk.ms)
				at := clk.ms + int64(r.IntN(1000)) + 1
				if r.IntN(3) == 0 {
					if got := db.Persist([]byte(k)); got != (live && m.exp != 0) {
						t.Fatalf("step %d: Persist=%v", step, got)
					}
					at = 0
				} else if got := db.SetExpire([]byte(k), at); got != live {
					t.Fatalf("step %d: SetExpire=%v want %v", step, got, live)
				}
				if live {
					m.exp = at
					model[k] = m
				} else {
					delete(model, k)
				}
			case op < 9:
				clk.ms += int64(r.IntN(50))
			default:
				ks.ReleaseAll()
				ks.ActiveExpireCycle(time.Millisecond)
				ks.LockAll()
			}
			if step%1000 == 0 || step > 11800 {
				for mk, m := range model {
					e, ok := db.Peek([]byte(mk))
					live := m.exp == 0 || m.exp >= clk.ms
					if ok != live {
						t.Fatalf("step %d: key %s present=%v want %v", step, mk, ok, live)
					}
					if !ok {
						delete(model, mk)
						continue
					}
					got := e.Str
					if e.Enc == EncInt {
						got = []byte(fmt.Sprint(e.Int))
					}
					if !bytes.Equal(got, m.val) || e.ExpireAt != m.exp {
						t.Fatalf("step %d: key %s = %q exp %d, want %q exp %d", step, mk, got, e.ExpireAt, m.val, m.exp)
					}
				}
				ks.ReleaseAll()
				ks.LockAll()
			}
		}
		ks.ReleaseAll()
	}
}

// TestScanGrowth checks SCAN's guarantee: keys present for the whole scan
// are returned even while tables grow between calls.
func TestScanGrowth(t *testing.T) {
	ks, _ := newTestKS(8)
	db := ks.DB(0)
	ks.LockAll()
	for i := 0; i < 1000; i++ {
		db.SetString([]byte(fmt.Sprintf("orig:%d", i)), []byte("v"), NoExpire, false)
	}
	ks.ReleaseAll()
	seen := map[string]bool{}
	cursor := uint64(0)
	extra := 0
	for {
		cursor = db.Scan(cursor, 10, nil, func(k []byte, e Entry) { seen[string(k)] = true })
		ks.LockAll()
		for j := 0; j < 50; j++ {
			db.SetString([]byte(fmt.Sprintf("new:%d", extra)), []byte("v"), NoExpire, false)
			extra++
		}
		ks.ReleaseAll()
		if cursor == 0 {
			break
		}
	}
	for i := 0; i < 1000; i++ {
		if !seen[fmt.Sprintf("orig:%d", i)] {
			t.Fatalf("orig:%d not returned by scan", i)
		}
	}
}

func TestEncodings(t *testing.T) {
	ks, _ := newTestKS(4)
	db := ks.DB(0)
	ks.LockAll()
	defer ks.ReleaseAll()
	cases := []struct {
		v   string
		enc Enc
	}{{"12345", EncInt}, {"-1", EncInt}, {"01", EncEmbstr}, {"+1", EncEmbstr}, {string(bytes.Repeat([]byte{'a'}, 44)), EncEmbstr}, {string(bytes.Repeat([]byte{'a'}, 45)), EncRaw}, {"9223372036854775808", EncEmbstr}}
	for _, c := range cases {
		db.SetString([]byte("k"), []byte(c.v), NoExpire, false)
		e, _ := db.Peek([]byte("k"))
		if e.Enc != c.enc {
			t.Errorf("%q: enc %d want %d", c.v, e.Enc, c.enc)
		}
	}
}

// TestPeekStale: a key past its expire is still seen by PeekStale (and not
// deleted by it), while Peek expires it.
func TestPeekStale(t *testing.T) {
	ks, clk := newTestKS(4)
	db := ks.DB(0)
	ks.LockAll()
	defer ks.ReleaseAll()
	db.SetString([]byte("k"), []byte("v"), clk.ms+1, false)
	clk.ms += 5
	if _, ok := db.PeekStale([]byte("k")); !ok {
		t.Fatal("PeekStale missed a stale key")
	}
	if _, ok := db.PeekStale([]byte("k")); !ok {
		t.Fatal("PeekStale deleted the stale key")
	}
	if _, ok := db.Peek([]byte("k")); ok {
		t.Fatal("Peek served a stale key")
	}
	if _, ok := db.PeekStale([]byte("k")); ok {
		t.Fatal("the key is still there after Peek expired it")
	}
}
