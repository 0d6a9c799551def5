package script

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// string.format as Lua 5.1's str_format over glibc's sprintf: gopher-lua's
// uses Go's fmt, whose conversions differ from C's.

const formatFlags = "-+ #0"

func strFormat(L *lua.LState) int {
	top := L.GetTop()
	arg := 1
	f := checkString(L, arg)
	var b []byte
	for i := 0; i < len(f); {
		c := f[i]
		i++
		if c != '%' {
			b = append(b, c)
			continue
		}
		if i < len(f) && f[i] == '%' {
			b = append(b, '%')
			i++
			continue
		}
		arg++
		if arg > top {
			argError(L, arg, "no value")
		}
		// scanformat: flags, two width digits, '.', two precision digits.
		start := i
		for i < len(f) && strings.IndexByte(formatFlags, f[i]) >= 0 {
			i++
		}
		if i-start >= len(formatFlags)+1 {
			raise(L, "invalid format (repeated flags)")
		}
		spec := cSpec{}
		for _, fl := range f[start:i] {
			switch fl {
			case '-':
				spec.left = true
			case '+':
				spec.plus = true
			case ' ':
				spec.space = true
			case '#':
				spec.alt = true
			case '0':
				spec.zero = true
			}
		}
		ws := i
		for k := 0; k < 2 && i < len(f) && isDigit(f[i]); k++ {
			i++
		}
		spec.width, _ = strconv.Atoi(f[ws:i])
		spec.prec = -1
		if i < len(f) && f[i] == '.' {
			i++
			ps := i
			for k := 0; k < 2 && i < len(f) && isDigit(f[i]); k++ {
				i++
			}
			spec.prec, _ = strconv.Atoi(f[ps:i])
		}
		if i < len(f) && isDigit(f[i]) {
			raise(L, "invalid format (width or precision too long)")
		}
		var conv byte
		if i < len(f) {
			conv = f[i]
			i++
		}
		var piece []byte
		switch conv {
		case 'c':
			piece = spec.pad(nil, []byte{byte(cInt32(checkNumber(L, arg)))}, false)
			piece = cutNUL(piece)
		case 'd', 'i':
			piece = spec.integer(nil, cInt64(checkNumber(L, arg)))
		case 'o', 'u', 'x', 'X':
			piece = spec.unsigned(nil, uint64(cInt64(checkNumber(L, arg))), conv)
		case 'e', 'E', 'f', 'g', 'G':
			piece = spec.float(nil, checkNumber(L, arg), conv)
		case 'q':
			piece = appendQuoted(nil, checkString(L, arg))
		case 's':
			s := checkString(L, arg)
			if spec.prec < 0 && len(s) >= 100 {
				// Too long to format: Lua keeps the string whole.
				piece = []byte(s)
				break
			}
			if spec.prec >= 0 && len(s) > spec.prec {
				s = s[:spec.prec]
			}
			piece = cutNUL(spec.pad(nil, []byte(s), false))
		default:
			raise(L, "invalid option '%"+string(conv)+"' to 'format'")
		}
		b = append(b, piece...)
	}
	L.Push(lua.LString(b))
	return 1
}

// cutNUL is the strlen() str_format applies to sprintf's output.
func cutNUL(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// cSpec is a parsed printf conversion.
type cSpec struct {
	left, plus, space, alt, zero bool
	width, prec                  int
}

// pad justifies body (which may start with a sign or prefix of length
// signLen when zero-padding numbers) to the width.
func (s cSpec) pad(dst, body []byte, numeric bool) []byte {
	return s.padSign(dst, nil, body, numeric)
}

func (s cSpec) padSign(dst, sign, body []byte, zeroOK bool) []byte {
	n := len(sign) + len(body)
	if n >= s.width {
		dst = append(dst, sign...)
		return append(dst, body...)
	}
	fill := s.width - n
	switch {
	case s.left:
		dst = append(dst, sign...)
		dst = append(dst, body...)
		for ; fill > 0; fill-- {
			dst = append(dst, ' ')
		}
	case s.zero && zeroOK:
		dst = append(dst, sign...)
		for ; fill > 0; fill-- {
			dst = append(dst, '0')
		}
		dst = append(dst, body...)
	default:
		for ; fill > 0; fill-- {
			dst = append(dst, ' ')
		}
		dst = append(dst, sign...)
		dst = append(dst, body...)
	}
	return dst
}

func (s cSpec) signOf(neg bool) []byte {
	switch {
	case neg:
		return []byte{'-'}
	case s.plus:
		return []byte{'+'}
	case s.space:
		return []byte{' '}
	}
	return nil
}

func (s cSpec) integer(dst []byte, v int64) []byte {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = -u
	}
	digits := strconv.AppendUint(nil, u, 10)
	digits = s.precise(digits, u)
	return s.padSign(dst, s.signOf(neg), digits, s.prec < 0)
}

// precise applies an integer precision (minimum digits; ".0" prints
// nothing for zero).
func (s cSpec) precise(digits []byte, u uint64) []byte {
	if s.prec < 0 {
		return digits
	}
	if s.prec == 0 && u == 0 {
		return nil
	}
	for len(digits) < s.prec {
		digits = append([]byte{'0'}, digits...)
	}
	return digits
}

func (s cSpec) unsigned(dst []byte, u uint64, conv byte) []byte {
	var digits []byte
	var prefix []byte
	switch conv {
	case 'o':
		digits = strconv.AppendUint(nil, u, 8)
		digits = s.precise(digits, u)
		if s.alt && (len(digits) == 0 || digits[0] != '0') {
			digits = append([]byte{'0'}, digits...)
		}
	case 'u':
		digits = s.precise(strconv.AppendUint(nil, u, 10), u)
	default:
		digits = s.precise(strconv.AppendUint(nil, u, 16), u)
		if conv == 'X' {
			digits = []byte(strings.ToUpper(string(digits)))
		}
		if s.alt && u != 0 {
			prefix = []byte{'0', conv}
		}
	}
	return s.padSign(dst, prefix, digits, s.prec < 0)
}

func (s cSpec) float(dst []byte, f float64, conv byte) []byte {
	neg := math.Signbit(f)
	upper := conv == 'E' || conv == 'G'
	if math.IsInf(f, 0) || f != f {
		word := "inf"
		if f != f {
			word = "nan"
		}
		if upper {
			word = strings.ToUpper(word)
		}
		return s.padSign(dst, s.signOf(neg), []byte(word), false)
	}
	if neg {
		f = -f
	}
	prec := s.prec
	if prec < 0 {
		prec = 6
	}
	var body []byte
	switch conv {
	case 'f':
		body = strconv.AppendFloat(nil, f, 'f', prec, 64)
		if s.alt && prec == 0 {
			body = append(body, '.')
		}
	case 'e', 'E':
		body = cExp(f, prec, s.alt, upper)
	default:
		if prec == 0 {
			prec = 1
		}
		// The exponent after rounding to prec significant digits picks
		// the style.
		e := strconv.AppendFloat(nil, f, 'e', prec-1, 64)
		x, _ := strconv.Atoi(string(e[strings.IndexByte(string(e), 'e')+1:]))
		if x < -4 || x >= prec {
			body = cExp(f, prec-1, s.alt, upper)
			if !s.alt {
				body = stripExpZeros(body)
			}
		} else {
			body = strconv.AppendFloat(nil, f, 'f', prec-1-x, 64)
			if s.alt {
				if prec-1-x == 0 {
					body = append(body, '.')
				}
			} else {
				body = stripFracZeros(body)
			}
		}
	}
	return s.padSign(dst, s.signOf(neg), body, true)
}

// cExp is C's %e: at least two exponent digits.
func cExp(f float64, prec int, alt, upper bool) []byte {
	b := strconv.AppendFloat(nil, f, 'e', prec, 64)
	if alt && prec == 0 {
		i := strings.IndexByte(string(b), 'e')
		b = append(b[:i:i], append([]byte{'.'}, b[i:]...)...)
	}
	if upper {
		b = []byte(strings.ToUpper(string(b)))
	}
	return b
}

func stripFracZeros(b []byte) []byte {
	if strings.IndexByte(string(b), '.') < 0 {
		return b
	}
	for b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	return b
}

func stripExpZeros(b []byte) []byte {
	i := strings.IndexAny(string(b), "eE")
	return append(stripFracZeros(append([]byte(nil), b[:i]...)), b[i:]...)
}

// appendQuoted is %q: a Lua string literal.
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', '\n':
			dst = append(dst, '\\', c)
		case '\r':
			dst = append(dst, '\\', 'r')
		case 0:
			dst = append(dst, '\\', '0', '0', '0')
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
