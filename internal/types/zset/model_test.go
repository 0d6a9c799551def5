package zset

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// testSeed returns the seed from ZSET_SEED or a fresh one, and logs it so a
// failure can be replayed.
func testSeed(t testing.TB) uint64 {
	if s := os.Getenv("ZSET_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("cannot parse ZSET_SEED: %v", err)
		}
		t.Logf("seed %d (from ZSET_SEED)", v)
		return v
	}
	v := uint64(time.Now().UnixNano())
	t.Logf("seed %d (replay with ZSET_SEED=%d)", v, v)
	return v
}

// TestModel runs random operation sequences against a sorted-slice model,
// across the listpack -> skiplist conversion, with small and default limits,
// in score mode and in lex mode (all scores equal).
func TestModel(t *testing.T) {
	cases := []struct {
		name   string
		lim    Limits
		pool   int
		lex    bool
		target int
		steps  int
	}{
		{"tiny-limits", Limits{MaxListpackEntries: 4, MaxListpackValue: 8}, 40, false, 20, 4000},
		{"default-limits", DefaultLimits(), 400, false, 150, 6000},
		{"skiplist-only", Limits{}, 3000, false, 1000, 8000},
		{"deep-tree", DefaultLimits(), 40000, false, 12000, 40000},
		{"lex-tiny", Limits{MaxListpackEntries: 6, MaxListpackValue: 10}, 60, true, 20, 4000},
		{"lex-deep", DefaultLimits(), 40000, true, 9000, 30000},
	}
	seed := testSeed(t)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if (testing.Short() || raceEnabled) && c.steps > 10000 {
				c.steps /= 4
				c.target /= 2
			}
			s := seed + uint64(i)
			r := rand.New(rand.NewPCG(s, s))
			h := newHarness(t, randSource{r}, c.lim, c.pool, c.lex, s)
			h.target = c.target
			for n := range c.steps {
				h.step()
				if n%(c.steps/8) == 0 {
					h.checkAll()
				}
			}
			h.checkAll()
			if lg := h.z.lg; lg != nil {
				t.Logf("final: %d members, skiplist: %d leaves, %d inner nodes", lg.length, lg.nLeaves, lg.nInner)
			} else {
				t.Logf("final: %d members, listpack", h.z.Len())
			}
		})
	}
}

// FuzzOps interprets the input as an operation sequence and checks each
// operation against the model. Limits are tiny so conversion and multi-leaf
// trees are reached with short inputs.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19})
	f.Add([]byte("\x00\x00\x01\x00\x00\x02\x00\x00\x03\x00\x01\x04\x00\x00\x05\x00\x00\x06\x00\x00\x13"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		src := &byteSource{data[1:]}
		lex := data[0]&1 != 0
		lim := Limits{MaxListpackEntries: int(data[0]>>1) % 9, MaxListpackValue: 6}
		h := newHarness(t, src, lim, 600, lex, uint64(len(data)))
		for !src.exhausted() {
			h.step()
		}
		h.checkAll()
	})
}
