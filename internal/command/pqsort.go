package command

// pqsort is Redis's pqsort (pqsort.c, Bentley & McIlroy's quicksort that
// skips the partitions outside [lrange, rrange]): after it, positions
// lrange..rrange hold what a full sort would put there. SORT uses it for
// BY with LIMIT and GEO* for COUNT; it is written out step by step because
// elements that compare equal end up where this algorithm leaves them,
// which clients see.
func pqsort[T any](v []T, compare func(a, b *T) int, lrange, rrange int) {
	cmp := func(i, j int) int { return compare(&v[i], &v[j]) }
	swap := func(i, j int) { v[i], v[j] = v[j], v[i] }
	vecswap := func(i, j, n int) {
		for k := 0; k < n; k++ {
			swap(i+k, j+k)
		}
	}
	med3 := func(a, b, c int) int {
		if cmp(a, b) < 0 {
			if cmp(b, c) < 0 {
				return b
			}
			if cmp(a, c) < 0 {
				return c
			}
			return a
		}
		if cmp(b, c) > 0 {
			return b
		}
		if cmp(a, c) < 0 {
			return a
		}
		return c
	}
	// outside reports whether the range lo..hi misses lrange..rrange.
	outside := func(lo, hi int) bool {
		return (lrange < lo && rrange < lo) || (lrange > hi && rrange > hi)
	}
	var sortRange func(a, n int)
	sortRange = func(a, n int) {
		for {
			if n < 7 {
				for m := a + 1; m < a+n; m++ {
					for l := m; l > a && cmp(l-1, l) > 0; l-- {
						swap(l, l-1)
					}
				}
				return
			}
			m := a + n/2
			if n > 7 {
				l, h := a, a+n-1
				if n > 40 {
					d := n / 8
					l = med3(l, l+d, l+2*d)
					m = med3(m-d, m, m+d)
					h = med3(h-2*d, h-d, h)
				}
				m = med3(l, m, h)
			}
			swap(a, m)
			pa, pb := a+1, a+1
			pc, pd := a+n-1, a+n-1
			for {
				for pb <= pc {
					r := cmp(pb, a)
					if r > 0 {
						break
					}
					if r == 0 {
						swap(pa, pb)
						pa++
					}
					pb++
				}
				for pb <= pc {
					r := cmp(pc, a)
					if r < 0 {
						break
					}
					if r == 0 {
						swap(pc, pd)
						pd--
					}
					pc--
				}
				if pb > pc {
					break
				}
				swap(pb, pc)
				pb++
				pc--
			}
			pn := a + n
			r := min(pa-a, pb-pa)
			vecswap(a, pb-r, r)
			r = min(pd-pc, pn-pd-1)
			vecswap(pb, pn-r, r)
			if r = pb - pa; r > 1 && !outside(a, a+r-1) {
				sortRange(a, r)
			}
			r = pd - pc
			if r <= 1 {
				return
			}
			a, n = pn-r, r
			if outside(a, a+n-1) {
				return
			}
		}
	}
	sortRange(0, len(v))
}
