package resp

import "bytes"

// SplitArgs splits an inline request line into arguments the way Redis's
// sdssplitargs does: blanks separate arguments; "double quotes" support
// \n \r \t \b \a \xHH and \<any>; 'single quotes' support \'; a closing
// quote must be followed by a blank or the end. A NUL byte ends the line,
// as in C. It appends to dst and reports false on unbalanced quotes.
// Unquoted arguments alias line; quoted ones are fresh copies.
func SplitArgs(line []byte, dst [][]byte) ([][]byte, bool) {
	if i := bytes.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	p := 0
	n := len(line)
	for {
		for p < n && isSpace(line[p]) {
			p++
		}
		if p >= n {
			return dst, true
		}
		start := p
		var cur []byte
		quoted := false
		for done := false; !done; {
			if p >= n {
				break
			}
			c := line[p]
			switch {
			case c == '"':
				quoted = true
				if cur == nil {
					cur = append([]byte{}, line[start:p]...)
				}
				p++
				for {
					if p >= n {
						return dst, false
					}
					c = line[p]
					if c == '\\' && p+3 < n+0 && line[p+1] == 'x' && isHex(line[p+2]) && isHex(line[p+3]) {
						cur = append(cur, hexVal(line[p+2])<<4|hexVal(line[p+3]))
						p += 4
					} else if c == '\\' && p+1 < n {
						p++
						switch line[p] {
						case 'n':
							cur = append(cur, '\n')
						case 'r':
							cur = append(cur, '\r')
						case 't':
							cur = append(cur, '\t')
						case 'b':
							cur = append(cur, '\b')
						case 'a':
							cur = append(cur, '\a')
						default:
							cur = append(cur, line[p])
						}
						p++
					} else if c == '"' {
						if p+1 < n && !isSpace(line[p+1]) {
							return dst, false
						}
						p++
						done = true
						break
					} else {
						cur = append(cur, c)
						p++
					}
				}
			case c == '\'':
				quoted = true
				if cur == nil {
					cur = append([]byte{}, line[start:p]...)
				}
				p++
				for {
					if p >= n {
						return dst, false
					}
					c = line[p]
					if c == '\\' && p+1 < n && line[p+1] == '\'' {
						cur = append(cur, '\'')
						p += 2
					} else if c == '\'' {
						if p+1 < n && !isSpace(line[p+1]) {
							return dst, false
						}
						p++
						done = true
						break
					} else {
						cur = append(cur, c)
						p++
					}
				}
			case c == ' ' || c == '\n' || c == '\r' || c == '\t':
				done = true
			default:
				if quoted {
					cur = append(cur, c)
				}
				p++
			}
		}
		if quoted {
			if cur == nil {
				cur = []byte{}
			}
			dst = append(dst, cur)
		} else {
			dst = append(dst, line[start:p:p])
		}
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
