package config

// StringMatch reports whether s matches the glob pattern the way Redis's
// stringmatchlen (util.c) does: '*' any run, '?' one byte, '[...]' a class
// with '^' negation, 'a-z' ranges (reversed ranges allowed) and '\' escapes,
// '\' escaping outside classes; an unterminated '[' class runs to the end of
// the pattern. nocase folds ASCII case, as CONFIG GET does for names.
func StringMatch(pattern, s string, nocase bool) bool {
	skipLonger := false
	return stringMatch(pattern, s, nocase, &skipLonger)
}

func stringMatch(pat, str string, nocase bool, skipLonger *bool) bool {
	// The C code walks NUL-terminated buffers and sometimes peeks one byte
	// past the length; at() returns that NUL.
	at := func(s string, i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	p, s := 0, 0
	for p < len(pat) && s < len(str) {
		switch pat[p] {
		case '*':
			for p+1 < len(pat) && pat[p+1] == '*' {
				p++
			}
			if p == len(pat)-1 {
				return true
			}
			for s < len(str) {
				if stringMatch(pat[p+1:], str[s:], nocase, skipLonger) {
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
			not := at(pat, p) == '^'
			if not {
				p++
			}
			match := false
			c := str[s]
			for {
				if at(pat, p) == '\\' && len(pat)-p >= 2 {
					p++
					if pat[p] == c {
						match = true
					}
				} else if at(pat, p) == ']' {
					break
				} else if p >= len(pat) {
					// Unterminated class: step back so the common advance
					// below lands exactly on the end of the pattern.
					p--
					break
				} else if len(pat)-p >= 3 && pat[p+1] == '-' {
					start, end, cc := pat[p], pat[p+2], c
					if start > end {
						start, end = end, start
					}
					if nocase {
						start, end, cc = lower(start), lower(end), lower(cc)
					}
					p += 2
					if cc >= start && cc <= end {
						match = true
					}
				} else if nocase {
					if lower(pat[p]) == lower(c) {
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
				if lower(pat[p]) != lower(str[s]) {
					return false
				}
			} else if pat[p] != str[s] {
				return false
			}
			s++
		}
		p++
		if s == len(str) {
			for at(pat, p) == '*' {
				p++
			}
			break
		}
	}
	return p >= len(pat) && s == len(str)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
