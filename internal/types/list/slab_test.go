package list

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// slabStats returns the number of distinct slabs the nodes use and how many
// nodes have a slab slot.
func (l *List) slabStats() (slabs, slotted int) {
	seen := map[*slab]bool{}
	for n := l.head; n != nil; n = n.next {
		if s := l.slabOf(n); s != nil {
			seen[s] = true
			slotted++
		}
	}
	return len(seen), slotted
}

// waste returns the slots lost in l's slabs.
func (l *List) waste() int {
	if l.slabs == nil {
		return 0
	}
	return l.slabs.waste
}

func elem17(i int) []byte { return fmt.Appendf(nil, "elem:%012d", i) }

// TestStructSizes: a List and a node each take one 64-byte allocation.
func TestStructSizes(t *testing.T) {
	if listStructSize != 64 || nodeStructSize != 64 {
		t.Errorf("List %d bytes, node %d bytes, want 64 and 64", listStructSize, nodeStructSize)
	}
}

// TestSlabPush: a long list pushed at either end keeps its full nodes in
// slabs of 64 KiB (8 nodes of 8 KiB), with no slot lost.
func TestSlabPush(t *testing.T) {
	for _, where := range []End{Head, Tail} {
		l := New(-2, 0)
		l.noHoles = true
		const n = 100_000
		for i := range n {
			l.Push(where, elem17(i))
		}
		if err := l.verify(); err != nil {
			t.Fatal(err)
		}
		slabs, slotted := l.slabStats()
		if nodes := l.NodeCount(); slotted < nodes-slabMinNodes-2 || slabs > slotted/8+16 {
			t.Errorf("end %d: %d nodes, %d in %d slabs", where, nodes, slotted, slabs)
		}
		if l.waste() != 0 {
			t.Errorf("end %d: slabWaste %d after pushes only", where, l.waste())
		}
		// The estimate counts the unused slots of the last slab: at most 7,
		// 0.57 bytes per element here.
		est := float64(l.MemoryUsage()) / n
		if est > 20 {
			t.Errorf("end %d: MemoryUsage %.2f bytes per 17-byte element", where, est)
		}
		// Popping everything from the other end frees every slab.
		for range n {
			if _, ok := l.Pop(1-where, nil); !ok {
				t.Fatal("pop failed")
			}
			if l.waste() > l.nodes/2+4 {
				t.Fatalf("slabWaste %d with %d nodes", l.waste(), l.nodes)
			}
		}
		if err := l.verify(); err != nil {
			t.Fatal(err)
		}
		if l.slabs != nil || l.MemoryUsage() != New(-2, 0).MemoryUsage() {
			t.Errorf("end %d: empty list keeps %d bytes (slabs %v)", where, l.MemoryUsage(), l.slabs != nil)
		}
	}
}

// TestSlabModel drives random operations on lists long enough to use slabs
// (fills -1..-4) against a slice model, checking the slab invariants and
// the bound on lost slots after every operation.
func TestSlabModel(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 7))
	ops := 200
	if testing.Short() {
		ops = 60
	}
	for _, fill := range []int{-1, -2, -3} {
		l := New(fill, 0)
		l.noHoles = r.IntN(4) != 0 // sometimes mix in plain arrays
		var m [][]byte
		// Enough elements for about 30 nodes.
		for i := range (4096 << (-fill - 1)) * 30 / 19 {
			v := elem17(i % 500)
			l.Push(Tail, v)
			m = append(m, v)
		}
		for op := range ops {
			switch r.IntN(9) {
			case 0: // LREM of a value present about every 500 elements
				v := elem17(r.IntN(500))
				cnt := r.IntN(5) - 2
				got := l.Remove(cnt, v)
				want := 0
				if cnt >= 0 {
					for i := 0; i < len(m) && (cnt == 0 || want < cnt); {
						if string(m[i]) == string(v) {
							m = slices.Delete(m, i, i+1)
							want++
						} else {
							i++
						}
					}
				} else {
					for i := len(m) - 1; i >= 0 && want < -cnt; i-- {
						if string(m[i]) == string(v) {
							m = slices.Delete(m, i, i+1)
							want++
						}
					}
				}
				if got != want {
					t.Fatalf("fill %d op %d: Remove %d want %d", fill, op, got, want)
				}
			case 1: // delete a run in the middle
				if len(m) == 0 {
					continue
				}
				start, cnt := r.IntN(len(m)), r.IntN(3000)
				l.DelRange(start, cnt)
				m = slices.Delete(m, start, min(start+cnt, len(m)))
			case 2: // LSET, sometimes to a long value
				if len(m) == 0 {
					continue
				}
				i := r.IntN(len(m))
				v := elem17(r.IntN(1000))
				if r.IntN(4) == 0 {
					v = slices.Repeat([]byte{'v'}, r.IntN(3000))
				}
				l.Set(i, v)
				m[i] = v
			case 3: // LINSERT
				if len(m) == 0 {
					continue
				}
				i := r.IntN(len(m))
				v := elem17(1000 + op)
				pivot := m[i]
				j := slices.IndexFunc(m, func(e []byte) bool { return string(e) == string(pivot) })
				if r.IntN(2) == 0 {
					l.InsertBefore(pivot, v)
					m = slices.Insert(m, j, v)
				} else {
					l.InsertAfter(pivot, v)
					m = slices.Insert(m, j+1, v)
				}
			case 4, 5: // pops
				k := r.IntN(600)
				for range k {
					where := End(r.IntN(2))
					_, ok := l.Pop(where, nil)
					if ok != (len(m) > 0) {
						t.Fatalf("fill %d op %d: Pop ok %v", fill, op, ok)
					}
					if !ok {
						break
					}
					if where == Head {
						m = m[1:]
					} else {
						m = m[:len(m)-1]
					}
				}
			default: // pushes
				k := r.IntN(1500)
				var front [][]byte
				for range k {
					v := elem17(r.IntN(500))
					if r.IntN(2) == 0 {
						l.Push(Head, v)
						front = append(front, v)
					} else {
						l.Push(Tail, v)
						m = append(m, v)
					}
				}
				slices.Reverse(front)
				m = append(front, m...)
			}
			if err := l.verify(); err != nil {
				t.Fatalf("fill %d op %d: %v", fill, op, err)
			}
			if l.waste() > l.nodes/2+4 {
				t.Fatalf("fill %d op %d: slabWaste %d with %d nodes", fill, op, l.waste(), l.nodes)
			}
			if op%20 == 0 || op == ops-1 {
				if !equalContents(l.contents(), m) {
					t.Fatalf("fill %d op %d: contents differ from model", fill, op)
				}
				c := l.Clone()
				if err := c.verify(); err != nil {
					t.Fatalf("fill %d op %d: clone: %v", fill, op, err)
				}
				if c.slabs != nil && c.slabs.cur != nil && c.slabs.cur.used*c.sizeLimit() != len(c.slabs.cur.buf) {
					t.Fatalf("fill %d op %d: clone left unused slots", fill, op)
				}
				if !equalContents(c.contents(), m) {
					t.Fatalf("fill %d op %d: clone contents differ", fill, op)
				}
			}
		}
	}
}
