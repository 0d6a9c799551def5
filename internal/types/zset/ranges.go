package zset

import "bytes"

// ScoreRange is a score interval as used by ZRANGEBYSCORE, ZCOUNT and
// ZREMRANGEBYSCORE (zrangespec in Redis's t_zset.c). Min and Max are always
// the low and the high end; the REV variants only change the direction of
// iteration. Parsing "(1.5" / "-inf" is left to the command layer, which owns
// the strtod-compatible float parser and the error texts.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool // exclusive ends, "(" in the command syntax
}

// gteMin reports whether s is not below the range (zslValueGteMin).
func (r *ScoreRange) gteMin(s float64) bool {
	if r.MinEx {
		return s > r.Min
	}
	return s >= r.Min
}

// lteMax reports whether s is not above the range (zslValueLteMax).
func (r *ScoreRange) lteMax(s float64) bool {
	if r.MaxEx {
		return s < r.Max
	}
	return s <= r.Max
}

// LexBound is one end of a ZRANGEBYLEX interval: "[a" (inclusive), "(a"
// (exclusive), "-" (below every member) or "+" (above every member).
type LexBound struct {
	Value     []byte // aliases the parsed argument; unused when Inf != 0
	Exclusive bool
	Inf       int8 // -1 for "-", +1 for "+", 0 for a member value
}

// LexRange is a ZRANGEBYLEX / ZLEXCOUNT / ZREMRANGEBYLEX interval
// (zlexrangespec in t_zset.c). Lex operations assume every member has the same
// score, as Redis documents; with mixed scores the result is, as in Redis,
// unspecified (here: a binary search over member order as if it were sorted).
type LexRange struct {
	Min, Max LexBound
}

// ParseLexBound parses one ZRANGEBYLEX range item the way zslParseLexRangeItem
// does: "+" and "-" alone, or "[" / "(" followed by any bytes. ok is false for
// anything else; the caller replies "min or max not valid string range item".
// The returned Value aliases b.
func ParseLexBound(b []byte) (bound LexBound, ok bool) {
	if len(b) == 0 {
		return LexBound{}, false
	}
	switch b[0] {
	case '+':
		// As in C, the argument ends at a NUL: "+\x00..." is "+".
		if len(b) != 1 && b[1] != 0 {
			return LexBound{}, false
		}
		// Redis marks the infinities exclusive; it never matters because no
		// member compares equal to them.
		return LexBound{Exclusive: true, Inf: 1}, true
	case '-':
		if len(b) != 1 && b[1] != 0 {
			return LexBound{}, false
		}
		return LexBound{Exclusive: true, Inf: -1}, true
	case '(':
		return LexBound{Value: b[1:], Exclusive: true}, true
	case '[':
		return LexBound{Value: b[1:]}, true
	}
	return LexBound{}, false
}

// cmp compares member v with the bound like sdscmplex(v, bound).
func (b *LexBound) cmp(v []byte) int {
	switch b.Inf {
	case -1:
		return 1
	case 1:
		return -1
	}
	return bytes.Compare(v, b.Value)
}

// gteMin reports whether member v is not below the range (zslLexValueGteMin).
func (r *LexRange) gteMin(v []byte) bool {
	c := r.Min.cmp(v)
	if r.Min.Exclusive {
		return c > 0
	}
	return c >= 0
}

// lteMax reports whether member v is not above the range (zslLexValueLteMax).
func (r *LexRange) lteMax(v []byte) bool {
	c := r.Max.cmp(v)
	if r.Max.Exclusive {
		return c < 0
	}
	return c <= 0
}
