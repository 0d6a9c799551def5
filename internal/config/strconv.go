package config

import (
	"math"
	"strconv"
	"strings"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// This file holds the small string primitives Redis's config code is built
// on, each reproducing the C function named in its comment, quirks included,
// because the quirks are visible to clients (which inputs CONFIG SET accepts).

// splitArgs splits a configuration line the way sdssplitargs (sds.c) does,
// with the same splitter the inline protocol uses (resp.SplitArgs). ok is
// false on unbalanced quotes.
func splitArgs(line string) (args []string, ok bool) {
	argv, ok := resp.SplitArgs([]byte(line), nil)
	if !ok {
		return nil, false
	}
	args = make([]string, len(argv))
	for i, a := range argv {
		args[i] = string(a)
	}
	return args, true
}

// isCSpace is C's isspace in the "C" locale.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// appendRepr appends s quoted the way sdscatrepr (sds.c) does, which is
// what CONFIG REWRITE and redis-server's option handling write.
func appendRepr(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '"':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if c >= 0x20 && c < 0x7f {
				dst = append(dst, c)
			} else {
				dst = append(dst, '\\', 'x', hex[c>>4], hex[c&15])
			}
		}
	}
	return append(dst, '"')
}

func repr(s string) string { return string(appendRepr(nil, s)) }

// memToUint parses a memory amount like memtoull (util.c): digits followed by
// an optional case-insensitive unit b, k (1000), kb (1024), m, mb, g, gb.
// Like the C code, an empty digit run reads as 0, an overflowing one
// saturates, and the multiplication wraps.
func memToUint(s string) (uint64, bool) {
	if strings.IndexByte(s, 0) >= 0 {
		s = s[:strings.IndexByte(s, 0)]
	}
	if strings.HasPrefix(s, "-") {
		return 0, false
	}
	u := 0
	for u < len(s) && s[u] >= '0' && s[u] <= '9' {
		u++
	}
	var mul uint64
	switch strings.ToLower(s[u:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if u >= 128 {
		return 0, false
	}
	var val uint64
	for i := 0; i < u; i++ {
		d := uint64(s[i] - '0')
		if val > (math.MaxUint64-d)/10 {
			val = math.MaxUint64 // strtoull saturates on overflow
			break
		}
		val = val*10 + d
	}
	return val * mul, true
}

// string2ll is Redis's strict integer parser (util.c): no blanks, no '+',
// no leading zeros, no overflow.
func string2ll(s string) (int64, bool) {
	if len(s) == 0 || len(s) >= 21 {
		return 0, false
	}
	if s == "0" {
		return 0, true
	}
	neg := false
	p := 0
	if s[0] == '-' {
		neg = true
		p++
		if p == len(s) {
			return 0, false
		}
	}
	if s[p] < '1' || s[p] > '9' {
		return 0, false
	}
	var v uint64
	for ; p < len(s); p++ {
		c := s[p]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		if v > math.MaxUint64-uint64(c-'0') {
			return 0, false
		}
		v += uint64(c - '0')
	}
	if neg {
		if v > uint64(math.MaxInt64)+1 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// strtoll mimics C's strtoll(s, &end, base) for bases up to 10, followed by the check
// "*end == '\0'" that Redis's callers make: leading blanks and a sign are
// accepted, an empty string reads as 0, and overflow saturates with
// overflow=true (errno ERANGE).
func strtoll(s string, base int) (v int64, complete, overflow bool) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	p := 0
	for p < len(s) && isCSpace(s[p]) {
		p++
	}
	neg := false
	if p < len(s) && (s[p] == '+' || s[p] == '-') {
		neg = s[p] == '-'
		p++
	}
	start := p
	var acc uint64
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	for p < len(s) {
		var d int
		c := s[p]
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'a' && c <= 'z':
			d = int(c-'a') + 10
		case c >= 'A' && c <= 'Z':
			d = int(c-'A') + 10
		default:
			d = base
		}
		if d >= base {
			break
		}
		if !overflow {
			if acc > (limit-uint64(d))/uint64(base) {
				overflow = true
				acc = limit
			} else {
				acc = acc*uint64(base) + uint64(d)
			}
		}
		p++
	}
	if p == start {
		// No digits: strtoll leaves end at the start of the string.
		return 0, len(s) == 0, false
	}
	if neg {
		v = int64(-acc)
	} else {
		v = int64(acc)
	}
	return v, p == len(s), overflow
}

// string2d mirrors util.c's string2d (strtod that must consume the whole
// string, no leading blank, no NaN, no overflow).
func string2d(s string) (float64, bool) {
	if len(s) == 0 || isCSpace(s[0]) {
		return 0, false
	}
	t := s
	// strtod reads hexadecimal floats without a binary exponent; Go does not.
	if l := strings.ToLower(strings.TrimLeft(t, "+-")); strings.HasPrefix(l, "0x") && !strings.Contains(l, "p") {
		t += "p0"
	}
	if strings.Contains(t, "_") {
		return 0, false
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// formatPercentile prints like "%f" followed by trimDoubleString (util.c).
func formatPercentile(dst []byte, f float64) []byte {
	b := strconv.AppendFloat(nil, f, 'f', 6, 64)
	if strings.IndexByte(string(b), '.') >= 0 {
		for len(b) > 0 && b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		if len(b) > 0 && b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
	}
	return append(dst, b...)
}

// appendMemory formats bytes for CONFIG REWRITE like
// rewriteConfigFormatMemory (config.c): the largest of gb, mb, kb that
// divides the value, else plain bytes.
func appendMemory(dst []byte, v int64) []byte {
	const kb, mb, gb = 1024, 1024 * 1024, 1024 * 1024 * 1024
	switch {
	case v != 0 && v%gb == 0:
		return append(strconv.AppendInt(dst, v/gb, 10), "gb"...)
	case v != 0 && v%mb == 0:
		return append(strconv.AppendInt(dst, v/mb, 10), "mb"...)
	case v != 0 && v%kb == 0:
		return append(strconv.AppendInt(dst, v/kb, 10), "kb"...)
	}
	return strconv.AppendInt(dst, v, 10)
}
