package rdb

// LZF compression as Redis's lzf_c.c does it with its build settings
// (HLOG 16, VERY_FAST, a zeroed hash table), so that strings compress to
// the same bytes real Redis writes.

const (
	lzfHLog   = 16
	lzfHSize  = 1 << lzfHLog
	lzfMaxLit = 1 << 5
	lzfMaxOff = 1 << 13
	lzfMaxRef = 1<<8 + 1<<3
)

// lzfState is the compressor's hash table, reused across calls: a slot
// holds base+position+1 of the last input position with that hash, and
// entries not above the current call's base are stale (empty).
type lzfState struct {
	htab []uint32
	base uint32
}

func lzfIdx(h uint32) uint32 {
	return ((h >> (3*8 - lzfHLog)) - h*5) & (lzfHSize - 1)
}

// compress appends the LZF form of in to dst if it fits in outLen bytes;
// ok is false (and dst unchanged) otherwise, as lzf_compress returning 0.
func (st *lzfState) compress(dst, in []byte, outLen int) (_ []byte, ok bool) {
	n := len(in)
	if n < 3 || outLen == 0 {
		return dst, false
	}
	if st.htab == nil {
		st.htab = make([]uint32, lzfHSize)
	}
	if uint64(st.base)+uint64(n)+1 >= 1<<32 {
		clear(st.htab)
		st.base = 0
	}
	base := st.base
	st.base += uint32(n) + 1
	start := len(dst)
	dst = append(dst, make([]byte, outLen+4)...)
	out := dst[start:]
	put := func(pos int) uint32 { return base + uint32(pos) + 1 }
	op, lit, ip := 1, 0, 0 // op starts a literal run
	hval := uint32(in[0])<<8 | uint32(in[1])
	for ip < n-2 {
		hval = hval<<8 | uint32(in[ip+2])
		slot := lzfIdx(hval)
		ent := st.htab[slot]
		st.htab[slot] = put(ip)
		ref := -1
		if ent > base {
			ref = int(ent - base - 1)
		}
		if ref > 0 && ip-ref-1 < lzfMaxOff && in[ref+2] == in[ip+2] && in[ref] == in[ip] && in[ref+1] == in[ip+1] {
			off := ip - ref - 1
			l := 2
			maxlen := min(n-ip-l, lzfMaxRef)
			if op+3+1 >= outLen {
				noLit := 0
				if lit == 0 {
					noLit = 1
				}
				if op-noLit+3+1 >= outLen {
					return dst[:start], false
				}
			}
			out[op-lit-1] = byte(lit - 1)
			if lit == 0 {
				op--
			}
			matched := false
			if maxlen > 16 {
				for range 16 {
					l++
					if in[ref+l] != in[ip+l] {
						matched = true
						break
					}
				}
			}
			if !matched {
				for {
					l++
					if !(l < maxlen && in[ref+l] == in[ip+l]) {
						break
					}
				}
			}
			l -= 2
			ip++
			if l < 7 {
				out[op] = byte(off>>8) + byte(l<<5)
				op++
			} else {
				out[op] = byte(off>>8) + 7<<5
				out[op+1] = byte(l - 7)
				op += 2
			}
			out[op] = byte(off)
			op++
			lit = 0
			op++
			ip += l + 1
			if ip >= n-2 {
				break
			}
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			st.htab[lzfIdx(hval)] = put(ip)
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			st.htab[lzfIdx(hval)] = put(ip)
			ip++
			continue
		}
		if op >= outLen {
			return dst[:start], false
		}
		lit++
		out[op] = in[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	if op+3 > outLen {
		return dst[:start], false
	}
	for ip < n {
		lit++
		out[op] = in[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	out[op-lit-1] = byte(lit - 1)
	if lit == 0 {
		op--
	}
	return dst[:start+op], true
}
