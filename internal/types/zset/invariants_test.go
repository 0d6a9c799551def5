package zset

import (
	"bytes"
	"fmt"
	"math"
)

// verify checks every structural invariant of z and returns the first
// violation found.
func (z *ZSet) verify() error {
	if z.lg == nil {
		n, off := 0, 0
		var pm []byte
		var ps float64
		for off < len(z.lp) {
			m, s, next := lpRead(z.lp, off)
			if lpPrev(z.lp, next) != off {
				return fmt.Errorf("listpack: backlen of entry %d broken", n)
			}
			if n > 0 && (ps > s || (ps == s && bytes.Compare(pm, m) >= 0)) {
				return fmt.Errorf("listpack: entry %d out of order", n)
			}
			pm, ps = m, s
			off = next
			n++
		}
		if off != len(z.lp) || n != z.lpLen {
			return fmt.Errorf("listpack: %d entries walked, lpLen %d", n, z.lpLen)
		}
		return nil
	}
	return z.lg.verify()
}

func (l *large) verify() error {
	var leaves []*leaf
	nInner := 0
	var walk func(n *inner, depth int, isRoot bool) (int, int, error)
	leafDepth := -1
	walk = func(n *inner, depth int, isRoot bool) (int, int, error) {
		nInner++
		if n.n < 1 || n.n > innerCap {
			return 0, 0, fmt.Errorf("inner node with %d children", n.n)
		}
		for i := int(n.n); i < innerCap; i++ {
			if n.kidsI[i] != nil || n.kidsL[i] != nil {
				return 0, 0, fmt.Errorf("stale child pointer at %d", i)
			}
		}
		total := 0
		for i := range int(n.n) {
			var cnt int
			var ms float64
			var mr uint32
			if n.leafKids {
				if leafDepth >= 0 && leafDepth != depth+1 {
					return 0, 0, fmt.Errorf("leaves at depths %d and %d", leafDepth, depth+1)
				}
				leafDepth = depth + 1
				lf := n.kidsL[i]
				if lf == nil || n.kidsI[i] != nil {
					return 0, 0, fmt.Errorf("bad leaf child slot")
				}
				leaves = append(leaves, lf)
				cnt = int(lf.n)
				if cnt == 0 && !(isRoot && n.n == 1) {
					return 0, 0, fmt.Errorf("empty leaf")
				}
				if cnt > 0 {
					ms, mr = lf.scores[0], lf.refs[0]
				}
				for j := 1; j < cnt; j++ {
					if l.cmp(lf.scores[j], l.ar.member(lf.refs[j]), lf.scores[j-1], lf.refs[j-1]) <= 0 {
						return 0, 0, fmt.Errorf("leaf out of order at %d", j)
					}
				}
			} else {
				c := n.kidsI[i]
				if c == nil || n.kidsL[i] != nil {
					return 0, 0, fmt.Errorf("bad inner child slot")
				}
				var err error
				if cnt, _, err = walk(c, depth+1, false); err != nil {
					return 0, 0, err
				}
				ms, mr = c.scores[0], c.refs[0]
			}
			if int(n.counts[i]) != cnt {
				return 0, 0, fmt.Errorf("count %d, subtree has %d", n.counts[i], cnt)
			}
			if cnt > 0 && (math.Float64bits(n.scores[i]) != math.Float64bits(ms) || n.refs[i] != mr) {
				return 0, 0, fmt.Errorf("separator %d is not the child minimum", i)
			}
			if i > 0 && l.cmp(n.scores[i], l.ar.member(n.refs[i]), n.scores[i-1], n.refs[i-1]) <= 0 {
				return 0, 0, fmt.Errorf("separators out of order at %d", i)
			}
			total += cnt
		}
		return total, 0, nil
	}
	total, _, err := walk(l.root, 0, true)
	if err != nil {
		return err
	}
	if !l.root.leafKids && l.root.n < 2 {
		return fmt.Errorf("root with a single inner child")
	}
	if total != l.length {
		return fmt.Errorf("tree holds %d, length %d", total, l.length)
	}
	if len(leaves) != l.nLeaves || nInner != l.nInner {
		return fmt.Errorf("node counters %d/%d, actual %d/%d", l.nLeaves, l.nInner, len(leaves), nInner)
	}
	// Leaf links follow the in-order sequence, and neighbours are ordered.
	for i, lf := range leaves {
		var wantPrev, wantNext *leaf
		if i > 0 {
			wantPrev = leaves[i-1]
		}
		if i+1 < len(leaves) {
			wantNext = leaves[i+1]
		}
		if lf.prev != wantPrev || lf.next != wantNext {
			return fmt.Errorf("leaf %d links broken", i)
		}
		if i > 0 && lf.n > 0 {
			p := leaves[i-1]
			if l.cmp(lf.scores[0], l.ar.member(lf.refs[0]), p.scores[p.n-1], p.refs[p.n-1]) <= 0 {
				return fmt.Errorf("leaves %d and %d out of order", i-1, i)
			}
		}
	}
	// Index and arena agree with the tree.
	refs := make(map[uint32]bool, l.length)
	for _, lf := range leaves {
		for j := range int(lf.n) {
			ref := lf.refs[j]
			if refs[ref] {
				return fmt.Errorf("ref %d in the tree twice", ref)
			}
			refs[ref] = true
			if math.Float64bits(l.ar.score(ref)) != math.Float64bits(lf.scores[j]) {
				return fmt.Errorf("arena score differs from leaf score")
			}
			m := l.ar.member(ref)
			slot := l.lookup(m, l.hash(m))
			if slot < 0 || l.slots[slot] != ref+1 {
				return fmt.Errorf("member %q not indexed", m)
			}
		}
	}
	occupied := 0
	for i, v := range l.slots {
		if v == 0 {
			continue
		}
		occupied++
		if !refs[v-1] {
			return fmt.Errorf("index slot %d holds a ref not in the tree", i)
		}
		if l.tags[i] != uint8(l.hash(l.ar.member(v-1))>>56) {
			return fmt.Errorf("index slot %d has a wrong tag", i)
		}
	}
	if occupied != l.count || l.count != l.length {
		return fmt.Errorf("index holds %d (count %d), length %d", occupied, l.count, l.length)
	}
	if l.count*4 > len(l.slots)*3 {
		return fmt.Errorf("index over-full: %d in %d", l.count, len(l.slots))
	}
	used := 0
	for s, slab := range l.ar.slabs {
		if slab == nil {
			if l.ar.dead[s] != 0 {
				return fmt.Errorf("released slab %d has dead bytes", s)
			}
			continue
		}
		used += cap(slab)
		dead := 0
		for off := 0; off < len(slab); {
			ref := uint32(s)<<refOffBits | uint32(off>>3)
			sz := recSize(len(l.ar.member(ref)))
			if math.Float64bits(l.ar.score(ref)) == deadPattern {
				dead += sz
				if refs[ref] {
					return fmt.Errorf("tree names dead record %d", ref)
				}
			} else if !refs[ref] {
				return fmt.Errorf("live record %d not in the tree", ref)
			} else {
				delete(refs, ref)
			}
			off += sz
		}
		if dead != int(l.ar.dead[s]) {
			return fmt.Errorf("slab %d: %d dead bytes counted as %d", s, dead, l.ar.dead[s])
		}
	}
	if len(refs) != 0 {
		return fmt.Errorf("%d tree refs point outside live slabs", len(refs))
	}
	if used != l.ar.used {
		return fmt.Errorf("arena used %d, actual %d", l.ar.used, used)
	}
	return nil
}
