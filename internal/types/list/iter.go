package list

// Iterator walks a list one element at a time without allocating. It is a
// value type; any modification of the list invalidates it.
type Iterator struct {
	n       *node
	off     int // forward: start of the next entry; reverse: end of it
	reverse bool
}

// Iter returns an iterator positioned at index i (negative counting from the
// tail) that moves towards the tail, or towards the head if reverse. An
// out-of-range i gives an exhausted iterator.
func (l *List) Iter(i int, reverse bool) Iterator {
	i, ok := l.normIndex(i)
	if !ok {
		return Iterator{}
	}
	n, off, _ := l.seek(i)
	if reverse {
		off += sizeAt(n.data, off)
	}
	return Iterator{n: n, off: off, reverse: reverse}
}

// Next returns the next element; ok is false when the iterator is exhausted.
// e.Str is valid until the next modification of the list.
func (it *Iterator) Next() (e Entry, ok bool) {
	n := it.n
	if n == nil {
		return Entry{}, false
	}
	if !it.reverse {
		if it.off >= n.end {
			n = n.next
			it.n = n
			if n == nil {
				return Entry{}, false
			}
			it.off = n.start
		}
		e, sz := decode(n.data, it.off)
		it.off += sz
		return e, true
	}
	if it.off <= n.start {
		n = n.prev
		it.n = n
		if n == nil {
			return Entry{}, false
		}
		it.off = n.end
	}
	s := prevStart(n.data, it.off)
	e, _ = decode(n.data, s)
	it.off = s
	return e, true
}

// Node is a read-only view of one node, for serializers that write a list
// node by node (RDB_TYPE_LIST_QUICKLIST_2 stores one listpack per node). It
// is valid until the next modification of the list.
type Node struct {
	n *node
}

// Len returns the number of elements in the node.
func (v Node) Len() int { return v.n.entries() }

// Range calls fn for each element of the node from head to tail, stopping
// early if fn returns false.
func (v Node) Range(fn func(e Entry) bool) {
	n := v.n
	for off := n.start; off < n.end; {
		e, sz := decode(n.data, off)
		if !fn(e) {
			return
		}
		off += sz
	}
}

// Nodes calls fn for each node from head to tail, stopping early if fn
// returns false.
func (l *List) Nodes(fn func(n Node) bool) {
	for n := l.head; n != nil; n = n.next {
		if !fn(Node{n}) {
			return
		}
	}
}
