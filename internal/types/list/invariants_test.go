package list

import (
	"bytes"
	"fmt"
	"strconv"
	"unsafe"
)

// verify checks every structural invariant of l and returns the first
// violation.
func (l *List) verify() error {
	count, nodes, arrayBytes := 0, 0, 0
	var prev *node
	for n := l.head; n != nil; n = n.next {
		if n.prev != prev {
			return fmt.Errorf("node %d: prev link broken", nodes)
		}
		if n.count <= 0 {
			return fmt.Errorf("node %d: count %d", nodes, n.count)
		}
		if len(n.data) != cap(n.data) {
			return fmt.Errorf("node %d: len(data) %d != cap %d", nodes, len(n.data), cap(n.data))
		}
		if n.start < 0 || n.start > n.end || n.end > len(n.data) {
			return fmt.Errorf("node %d: bad bounds %d..%d of %d", nodes, n.start, n.end, len(n.data))
		}
		// Forward walk.
		k := 0
		var offs []int
		for off := n.start; off < n.end; k++ {
			offs = append(offs, off)
			e, sz := decode(n.data, off)
			if sz != sizeAt(n.data, off) {
				return fmt.Errorf("node %d entry %d: decode size %d != sizeAt %d", nodes, k, sz, sizeAt(n.data, off))
			}
			if e.IsInt {
				// The int form must be what a push of its string stores.
				if x, ok := parseInt(strconv.AppendInt(nil, e.Int, 10)); !ok || x != e.Int {
					return fmt.Errorf("node %d entry %d: int %d not canonical", nodes, k, e.Int)
				}
			} else if _, ok := parseInt(e.Str); ok {
				return fmt.Errorf("node %d entry %d: canonical integer %q stored as string", nodes, k, e.Str)
			}
			off += sz
			if off > n.end {
				return fmt.Errorf("node %d entry %d: runs past end", nodes, k)
			}
		}
		if k != n.entries() {
			return fmt.Errorf("node %d: %d entries, count says %d", nodes, k, n.count)
		}
		// Backward walk must find the same entry starts.
		j := k
		for end := n.end; end > n.start; {
			end = prevStart(n.data, end)
			j--
			if j < 0 || offs[j] != end {
				return fmt.Errorf("node %d: backward walk mismatch at entry %d", nodes, j)
			}
		}
		if n.count > 1 {
			if n.used() > l.sizeLimit() {
				return fmt.Errorf("node %d: %d bytes over limit %d with %d entries", nodes, n.used(), l.sizeLimit(), n.count)
			}
			if l.fill >= 0 && n.entries() > l.Fill() {
				return fmt.Errorf("node %d: %d entries over fill %d", nodes, n.count, l.fill)
			}
		}
		count += n.entries()
		arrayBytes += len(n.data)
		nodes++
		prev = n
	}
	if s := l.spare; s != nil {
		if l.nodes == 0 || s.prev != nil || s.next != nil || s.count != 0 || len(s.data) > l.spareMax() {
			return fmt.Errorf("bad spare node")
		}
		arrayBytes += len(s.data)
	}
	if l.tail != prev {
		return fmt.Errorf("tail pointer broken")
	}
	if count != l.count || nodes != l.nodes || arrayBytes != l.arrayBytes {
		return fmt.Errorf("totals: count %d/%d nodes %d/%d arrayBytes %d/%d",
			count, l.count, nodes, l.nodes, arrayBytes, l.arrayBytes)
	}
	return l.verifySlabs()
}

// verifySlabs checks that every slab slot in use is a node's array, that
// the slabs' live counts match and that slabWaste counts their lost slots.
func (l *List) verifySlabs() error {
	live := map[*slab]int{}
	check := func(n *node) error {
		if n.slab == 0 {
			return nil
		}
		if l.slabs == nil || int(n.slab) > len(l.slabs.byID) || l.slabs.byID[n.slab-1] == nil {
			return fmt.Errorf("node names slab %d, which is not live", n.slab)
		}
		s := l.slabs.byID[n.slab-1]
		if s.id != n.slab {
			return fmt.Errorf("slab %d has id %d", n.slab, s.id)
		}
		lim := l.sizeLimit()
		p := unsafe.Pointer(unsafe.SliceData(n.data))
		base := unsafe.Pointer(unsafe.SliceData(s.buf))
		off := int(uintptr(p) - uintptr(base))
		if len(n.data) != lim || off < 0 || off%lim != 0 || off/lim >= s.used {
			return fmt.Errorf("node array is not a handed-out slot of its slab (len %d, offset %d)", len(n.data), off)
		}
		live[s]++
		return nil
	}
	for n := l.head; n != nil; n = n.next {
		if err := check(n); err != nil {
			return err
		}
	}
	if l.spare != nil {
		if err := check(l.spare); err != nil {
			return err
		}
	}
	sl := l.slabs
	if sl == nil {
		return nil // no node named a slab
	}
	if len(live) == 0 {
		return fmt.Errorf("slab set kept with no slab in use")
	}
	waste := 0
	for s, k := range live {
		if s.live != k {
			return fmt.Errorf("slab live %d, %d nodes use it", s.live, k)
		}
		waste += s.used - s.live
	}
	if waste != sl.waste {
		return fmt.Errorf("slab waste %d, counted %d", sl.waste, waste)
	}
	if sl.cur != nil && live[sl.cur] == 0 {
		return fmt.Errorf("current slab has no live slot")
	}
	free := 0
	for _, s := range sl.byID {
		if s == nil {
			free++
		} else if live[s] == 0 {
			return fmt.Errorf("slab %d is kept but no node uses it", s.id)
		}
	}
	if len(live) != sl.live || free != len(sl.free) {
		return fmt.Errorf("%d slabs in use, live %d; %d free ids, free list %d",
			len(live), sl.live, free, len(sl.free))
	}
	for _, id := range sl.free {
		if sl.byID[id-1] != nil {
			return fmt.Errorf("free id %d names a slab", id)
		}
	}
	return nil
}

// contents returns a copy of every element, head to tail.
func (l *List) contents() [][]byte {
	out := make([][]byte, 0, l.count)
	it := l.Iter(0, false)
	for {
		e, ok := it.Next()
		if !ok {
			return out
		}
		out = append(out, e.Append(nil))
	}
}

func equalContents(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
