// Package glob is Redis's glob-style matching, used by KEYS, SCAN MATCH,
// pub/sub patterns and CONFIG GET: Redis's
// stringmatchlen (src/util.c), byte for byte, including its corner cases:
//
//   - '*' any run of bytes, '?' any one byte, '\x' the byte x;
//   - '[...]' a class: '^' first negates it, 'a-z' is a range (reversed
//     ranges are swapped; the bounds and the byte compare as C's signed
//     char, so a range reaching a byte >= 0x80 behaves as it does in
//     Redis), '\x' inside a class is x compared case-sensitively even with
//     nocase, and an unterminated class ends at the end of the pattern;
//   - nocase folds ASCII letters only (C locale tolower);
//   - the C code peeks one byte past the pattern's end (the NUL of the sds);
//     globAt returns that NUL;
//   - once the rest of a pattern failed to match from every position after
//     a '*', no longer match for an earlier '*' is tried
//     (skipLongerMatches, CVE-2022-36021);
//   - matching gives up (no match) below 1000 nested '*' (CVE-2024-31228,
//     backported into Debian's redis 7.0.15, the reference server).
package glob

// globMaxNesting is the deepest '*' recursion stringmatchlen tries.
const globMaxNesting = 1000

// Match reports whether s matches the glob pattern, as Redis's
// stringmatchlen(pattern, s, nocase).
func Match(pattern, s []byte, nocase bool) bool {
	skipLonger := false
	return globMatch(pattern, s, nocase, &skipLonger, 0)
}

// globAt returns b[i], or the NUL that follows a C string.
func globAt(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

// globLower is C's tolower in the C locale, on a signed char value.
func globLower(c int) int {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// schar is a byte as C's (signed) char.
func schar(b byte) int { return int(int8(b)) }

func globMatch(pat, str []byte, nocase bool, skipLonger *bool, nesting int) bool {
	if nesting > globMaxNesting {
		return false
	}
	p, s := 0, 0
	for p < len(pat) && s < len(str) {
		switch pat[p] {
		case '*':
			for p < len(pat) && globAt(pat, p+1) == '*' {
				p++
			}
			if len(pat)-p == 1 {
				return true
			}
			for s < len(str) {
				if globMatch(pat[p+1:], str[s:], nocase, skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					return false
				}
				s++
			}
			*skipLonger = true
			return false
		case '?':
			s++
		case '[':
			p++
			not := globAt(pat, p) == '^'
			if not {
				p++
			}
			match := false
			c := str[s]
			for {
				if globAt(pat, p) == '\\' && len(pat)-p >= 2 {
					p++
					if pat[p] == c {
						match = true
					}
				} else if globAt(pat, p) == ']' {
					break
				} else if p >= len(pat) {
					// Unterminated: back up so that the advance below
					// leaves p exactly at the end of the pattern.
					p--
					break
				} else if len(pat)-p >= 3 && pat[p+1] == '-' {
					start, end, cc := schar(pat[p]), schar(pat[p+2]), schar(c)
					if start > end {
						start, end = end, start
					}
					if nocase {
						start, end, cc = globLower(start), globLower(end), globLower(cc)
					}
					p += 2
					if cc >= start && cc <= end {
						match = true
					}
				} else if nocase {
					if globLower(schar(pat[p])) == globLower(schar(c)) {
						match = true
					}
				} else if pat[p] == c {
					match = true
				}
				p++
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			s++
		case '\\':
			if len(pat)-p >= 2 {
				p++
			}
			fallthrough
		default:
			if nocase {
				if globLower(schar(pat[p])) != globLower(schar(str[s])) {
					return false
				}
			} else if pat[p] != str[s] {
				return false
			}
			s++
		}
		p++
		if s == len(str) {
			for globAt(pat, p) == '*' {
				p++
			}
			break
		}
	}
	return p >= len(pat) && s == len(str)
}
