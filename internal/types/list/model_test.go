package list

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// model is the reference implementation: a plain slice of values, with the
// semantics of Redis 7.0 t_list.c / quicklist.c spelled out naively.
type model [][]byte

func (m model) norm(i int) (int, bool) {
	if i < 0 {
		i += len(m)
	}
	return i, i >= 0 && i < len(m)
}

// delRange follows quicklist.c quicklistDelRange.
func (m *model) delRange(start, count int) int {
	if count <= 0 {
		return 0
	}
	s, ok := m.norm(start)
	if !ok {
		return 0
	}
	n := min(count, len(*m)-s)
	*m = slices.Delete(*m, s, s+n)
	return n
}

// bounds follows t_list.c addListRangeReply / ltrimCommand.
func (m model) bounds(start, stop int) (int, int, bool) {
	n := len(m)
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= n {
		return 0, -1, false
	}
	if stop >= n {
		stop = n - 1
	}
	return start, stop, true
}

// remove follows t_list.c lremCommand.
func (m *model) remove(count int, v []byte) int {
	removed := 0
	if count >= 0 {
		for i := 0; i < len(*m); {
			if bytes.Equal((*m)[i], v) {
				*m = slices.Delete(*m, i, i+1)
				removed++
				if count > 0 && removed == count {
					break
				}
				continue
			}
			i++
		}
		return removed
	}
	want := -count
	for i := len(*m) - 1; i >= 0; i-- {
		if bytes.Equal((*m)[i], v) {
			*m = slices.Delete(*m, i, i+1)
			removed++
			if removed == want {
				break
			}
		}
	}
	return removed
}

// pos follows t_list.c lposCommand.
func (m model) pos(v []byte, rank, count, maxlen int) []int {
	var out []int
	matches := 0
	n := len(m)
	for index := 0; index < n && (maxlen == 0 || index < maxlen); index++ {
		i := index
		if rank < 0 {
			i = n - 1 - index
		}
		if !bytes.Equal(m[i], v) {
			continue
		}
		matches++
		r := rank
		if r < 0 {
			r = -r
		}
		if matches >= r {
			out = append(out, i)
			if count != 0 && matches-r+1 >= count {
				break
			}
		}
	}
	return out
}

// driver turns a byte stream (random or fuzzer-made) into list operations,
// applying each to a List and to the model and comparing.
type driver struct {
	t    testing.TB
	data []byte
	pos  int
	l    *List
	m    model
	buf  []byte
}

func (d *driver) more() bool { return d.pos < len(d.data) }

func (d *driver) u8() int {
	if d.pos >= len(d.data) {
		return 0
	}
	b := d.data[d.pos]
	d.pos++
	return int(b)
}

func (d *driver) u16() int { return d.u8() | d.u8()<<8 }

// index returns an index in roughly -len-3 .. len+3.
func (d *driver) index() int {
	span := 2*len(d.m) + 7
	return d.u16()%span - len(d.m) - 3
}

var interesting = []string{
	"a", "b", "", "0", "-0", "00", "007", "+1", "1", "-1", "127", "128", "-128",
	"4095", "4096", "-4096", "-4097", "32767", "32768", "-32768", "-32769",
	"8388607", "8388608", "-8388608", "-8388609", "2147483647", "2147483648",
	"-2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808",
	"9223372036854775808", "-9223372036854775809", "12345678901234567890",
	"1 ", " 1", "1.5", "-", "hello world",
}

func (d *driver) value() []byte {
	switch k := d.u8(); {
	case k < 100:
		return []byte(interesting[k%len(interesting)])
	case k < 160:
		// Existing element, to make pivots and removals hit.
		if len(d.m) > 0 {
			return slices.Clone(d.m[d.u16()%len(d.m)])
		}
		return []byte("x")
	case k < 200:
		return strconv.AppendInt(nil, int64(int16(d.u16())), 10)
	case k < 250:
		n := d.u8() % 80
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a' + byte(d.u8()%4)
		}
		return b
	case k < 253:
		// 64..4200 bytes: 12-bit and 32-bit string headers.
		return bytes.Repeat([]byte{'m'}, 64+d.u16()%4137)
	default:
		// Bigger than the 4 KiB and 8 KiB node limits.
		return bytes.Repeat([]byte{'L'}, 8000+d.u16()%1500)
	}
}

var fills = []int{-1, -2, -3, -4, -5, 0, 1, 2, 3, 4, 7, 128, -9, 40000}

func runOps(t testing.TB, data []byte) {
	d := &driver{t: t, data: data}
	fill := fills[d.u8()%len(fills)]
	d.l = New(fill, d.u8()%3)
	for op := 0; d.more(); op++ {
		d.step(op)
		if err := d.l.verify(); err != nil {
			t.Fatalf("op %d: invariant: %v", op, err)
		}
		if got := d.l.contents(); !equalContents(got, d.m) {
			t.Fatalf("op %d: contents differ:\n got %q\nwant %q", op, got, d.m)
		}
		if d.l.Len() != len(d.m) {
			t.Fatalf("op %d: Len %d want %d", op, d.l.Len(), len(d.m))
		}
		if len(d.m) > 3000 {
			d.l.Clear()
			d.m = d.m[:0]
		}
	}
}

func (d *driver) step(op int) {
	t, l := d.t, d.l
	switch c := d.u8() % 20; c {
	case 0, 1, 2: // LPUSH / RPUSH
		v := d.value()
		where := End(c % 2)
		l.Push(where, v)
		if where == Head {
			d.m = slices.Insert(d.m, 0, slices.Clone(v))
		} else {
			d.m = append(d.m, slices.Clone(v))
		}
		clear(v) // the list must have copied it
	case 3: // PushInt
		x := int64(binary.LittleEndian.Uint64([]byte{byte(d.u8()), byte(d.u8()), byte(d.u8()), byte(d.u8()), byte(d.u8()), byte(d.u8()), byte(d.u8()), byte(d.u8())}))
		x >>= d.u8() % 64
		where := End(d.u8() % 2)
		l.PushInt(where, x)
		v := strconv.AppendInt(nil, x, 10)
		if where == Head {
			d.m = slices.Insert(d.m, 0, v)
		} else {
			d.m = append(d.m, v)
		}
	case 4, 5: // LPOP / RPOP
		where := End(c % 2)
		d.buf = append(d.buf[:0], "prefix"...)
		out, ok := l.Pop(where, d.buf)
		if ok != (len(d.m) > 0) {
			t.Fatalf("op %d: Pop ok=%v with model len %d", op, ok, len(d.m))
		}
		if !ok {
			return
		}
		var want []byte
		if where == Head {
			want, d.m = d.m[0], d.m[1:]
		} else {
			want, d.m = d.m[len(d.m)-1], d.m[:len(d.m)-1]
		}
		if !bytes.Equal(out[6:], want) || string(out[:6]) != "prefix" {
			t.Fatalf("op %d: Pop = %q want prefix+%q", op, out, want)
		}
	case 6: // LINDEX
		i := d.index()
		e, ok := l.Index(i)
		j, wok := d.m.norm(i)
		if ok != wok || (ok && !bytes.Equal(e.Append(nil), d.m[j])) {
			t.Fatalf("op %d: Index(%d) = %q,%v", op, i, e.Append(nil), ok)
		}
		if ok && !e.Equal(d.m[j]) {
			t.Fatalf("op %d: Entry.Equal false for its own value %q", op, d.m[j])
		}
	case 7: // LSET
		i, v := d.index(), d.value()
		ok := l.Set(i, v)
		j, wok := d.m.norm(i)
		if ok != wok {
			t.Fatalf("op %d: Set(%d) = %v", op, i, ok)
		}
		if ok {
			d.m[j] = slices.Clone(v)
		}
		clear(v)
	case 8, 9: // LINSERT BEFORE / AFTER
		pivot, v := d.value(), d.value()
		var ok bool
		if c == 8 {
			ok = l.InsertBefore(pivot, v)
		} else {
			ok = l.InsertAfter(pivot, v)
		}
		j := slices.IndexFunc(d.m, func(e []byte) bool { return bytes.Equal(e, pivot) })
		if ok != (j >= 0) {
			t.Fatalf("op %d: Insert pivot %q = %v", op, pivot, ok)
		}
		if ok {
			d.m = slices.Insert(d.m, j+c-8, slices.Clone(v))
		}
		clear(v)
	case 10: // LREM
		count := d.u8()%7 - 3
		v := d.value()
		got := l.Remove(count, v)
		if want := d.m.remove(count, v); got != want {
			t.Fatalf("op %d: Remove(%d,%q) = %d want %d", op, count, v, got, want)
		}
	case 11: // DelRange (LPOP/RPOP count, LMPOP)
		start, count := d.index(), d.u16()%(len(d.m)+5)-2
		if got, want := l.DelRange(start, count), d.m.delRange(start, count); got != want {
			t.Fatalf("op %d: DelRange(%d,%d) = %d want %d", op, start, count, got, want)
		}
	case 12: // LTRIM
		start, stop := d.index(), d.index()
		before := len(d.m)
		got := l.Trim(start, stop)
		lo, hi, ok := d.m.bounds(start, stop)
		if ok {
			d.m = d.m[lo : hi+1]
		} else {
			d.m = d.m[:0]
		}
		if got != before-len(d.m) {
			t.Fatalf("op %d: Trim(%d,%d) removed %d want %d", op, start, stop, got, before-len(d.m))
		}
	case 13, 14: // LRANGE (forward and reverse)
		start, stop := d.index(), d.index()
		lo, hi, ok := l.Bounds(start, stop)
		wlo, whi, wok := d.m.bounds(start, stop)
		if lo != wlo || hi != whi || ok != wok {
			t.Fatalf("op %d: Bounds(%d,%d) = %d,%d,%v want %d,%d,%v", op, start, stop, lo, hi, ok, wlo, whi, wok)
		}
		if !ok {
			return
		}
		reverse := c == 14
		limit := hi - lo + 1
		if d.u8()%4 == 0 {
			limit = 1 + d.u8()%limit // stop early
		}
		var got [][]byte
		l.Range(lo, hi, reverse, func(e Entry) bool {
			got = append(got, e.Append(nil))
			return len(got) < limit
		})
		want := slices.Clone(d.m[lo : hi+1])
		if reverse {
			slices.Reverse(want)
		}
		want = want[:limit]
		if !equalContents(got, want) {
			t.Fatalf("op %d: Range(%d,%d,%v) = %q want %q", op, lo, hi, reverse, got, want)
		}
	case 15: // LPOS
		v := d.value()
		rank := d.u8()%7 - 3
		if rank == 0 {
			rank = 1
		}
		count, maxlen := d.u8()%4, d.u8()%6
		got := l.Pos(nil, v, rank, count, maxlen)
		if want := d.m.pos(v, rank, count, maxlen); !slices.Equal(got, want) {
			t.Fatalf("op %d: Pos(%q,%d,%d,%d) = %v want %v", op, v, rank, count, maxlen, got, want)
		}
	case 16: // Iter from an index, either direction
		i := d.index()
		reverse := d.u8()%2 == 1
		it := l.Iter(i, reverse)
		j, ok := d.m.norm(i)
		var want [][]byte
		if ok {
			if reverse {
				want = slices.Clone(d.m[:j+1])
				slices.Reverse(want)
			} else {
				want = d.m[j:]
			}
		}
		var got [][]byte
		for {
			e, ok := it.Next()
			if !ok {
				break
			}
			got = append(got, e.Append(nil))
		}
		if !equalContents(got, want) {
			t.Fatalf("op %d: Iter(%d,%v) = %q want %q", op, i, reverse, got, want)
		}
	case 17: // Clone, continue on the clone
		c := l.Clone()
		if err := c.verify(); err != nil {
			t.Fatalf("op %d: clone invariant: %v", op, err)
		}
		l.Push(Tail, []byte("only-in-original"))
		if equalContents(c.contents(), l.contents()) {
			t.Fatalf("op %d: clone shares state with original", op)
		}
		d.l = c
	case 18: // Nodes view
		var got [][]byte
		total := 0
		l.Nodes(func(n Node) bool {
			total += n.Len()
			n.Range(func(e Entry) bool {
				got = append(got, e.Append(nil))
				return true
			})
			return true
		})
		if total != len(d.m) || !equalContents(got, d.m) {
			t.Fatalf("op %d: Nodes walk mismatch", op)
		}
	case 19: // bulk push to build longer lists
		v := d.value()
		n := d.u8()
		for range n {
			l.Push(Tail, v)
			d.m = append(d.m, slices.Clone(v))
		}
	}
}

// TestModelRandom drives random operation streams against the model.
func TestModelRandom(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	iters := 300
	if testing.Short() {
		iters = 50
	}
	for it := range iters {
		data := make([]byte, 500+r.IntN(6000))
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		data[0] = byte(it) // cycle through every fill
		t.Run(strconv.Itoa(it), func(t *testing.T) {
			runOps(t, data)
		})
		if t.Failed() {
			t.Fatalf("failed with seed %d, iteration %d", seed, it)
		}
	}
}

// FuzzListOps drives fuzzer-chosen operation streams against the model.
func FuzzListOps(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 1, 5, 4, 6, 0})
	f.Add([]byte{5, 0, 19, 200, 40, 8, 130, 0, 10, 0, 100, 12, 3, 0, 9, 0})
	f.Add(bytes.Repeat([]byte{1, 254, 3, 19, 255, 30, 7}, 20))
	f.Add(bytes.Repeat([]byte{10, 0, 2, 252, 9, 11, 5, 150}, 30))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			data = data[:4096]
		}
		runOps(t, data)
	})
}
