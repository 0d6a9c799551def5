package glob_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/glob"
)

// TestStringMatch checks the glob matcher against Redis's stringmatchlen
// (src/util.c, 7.0.15 plus the CVE-2024-31228 nesting limit of Debian's
// build). Every case was checked with KEYS against redis-server 7.0.15
// (tests/diff/keys_test.go repeats the check with random patterns).
func TestStringMatch(t *testing.T) {
	cases := []struct {
		pat, s string
		nocase bool
		want   bool
	}{
		{"", "", false, true},
		{"", "a", false, false},
		{"a", "", false, false},
		{"*", "", false, false}, // the loop never runs on an empty string
		{"**", "", false, false},
		{"*", "anything", false, true},
		{"a*", "a", false, true},
		{"a*b", "ab", false, true},
		{"a*b", "axxb", false, true},
		{"a*b", "axxbc", false, false},
		{"*b*", "abc", false, true},
		{"a**b", "ab", false, true},
		{"?", "", false, false},
		{"?", "x", false, true},
		{"??", "x", false, false},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"h[ae]llo", "hello", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-b]llo", "hbllo", false, true},
		{"h[b-a]llo", "hallo", false, true}, // reversed range is swapped
		{"h[a-b]llo", "hcllo", false, false},
		{"[a-]", "-", false, false}, // "a-]" is the range a..']', unterminated
		{"[a-]", "]", false, true},  // ... which holds ']' and '^'...'a'
		{"[a-]", "a", false, true},
		{"[]", "]", false, false}, // "[]" is an empty class
		{"[]]", "]", false, false},
		{"[\\]]", "]", false, true}, // escaped ']' in a class
		{"[\\", "\\", false, true},  // unterminated: '\' is literal at the end
		{"[abc", "b", false, true},  // unterminated class ends the pattern
		{"[abc", "bx", false, false},
		{"[^", "x", false, true}, // "[^" matches any one byte
		{"[", "x", false, false},
		{"\\*", "*", false, true},
		{"\\*", "a", false, false},
		{"\\", "\\", false, true}, // a trailing backslash is literal
		{"a\\", "a\\", false, true},
		{"\\?", "?", false, true},
		{"\\?", "x", false, false},
		{"[\\-]", "-", false, true},
		{"HELLO", "hello", true, true},
		{"HELLO", "hello", false, false},
		{"h[A-C]llo", "hbllo", true, true},
		{"h[A-C]llo", "hbllo", false, false},
		{"h[\\B]llo", "hbllo", true, false}, // escaped class bytes compare exactly
		{"h[B]llo", "hbllo", true, true},
		// Bytes >= 0x80 are signed chars in ranges: 'a'..'\xff' is -1..97.
		{"[a-\xff]", "\xff", false, true},
		{"[a-\xff]", "0", false, true},
		{"[a-\xff]", "b", false, false},
		{"[a-\xff]", "\x80", false, false},
		{"[\x80-\xfe]", "\x90", false, true},
		{"x\x00y", "x\x00y", false, true},
		{"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", strings.Repeat("a", 40), false, false},
	}
	for _, c := range cases {
		if got := glob.Match([]byte(c.pat), []byte(c.s), c.nocase); got != c.want {
			t.Errorf("StringMatch(%q, %q, nocase=%v) = %v, want %v", c.pat, c.s, c.nocase, got, c.want)
		}
	}
}

// TestStringMatchNesting checks the nesting limit: a '*' nested more than
// 1000 deep never matches (Debian's 7.0.15 has the CVE-2024-31228 fix;
// checked with KEYS against it).
func TestStringMatchNesting(t *testing.T) {
	s := []byte(strings.Repeat("a", 1100))
	for n, want := range map[int]bool{999: true, 1000: true, 1001: false, 1002: false} {
		pat := "a" + strings.Repeat("*a", n)
		if got := glob.Match([]byte(pat), s, false); got != want {
			t.Errorf("%d stars: got %v want %v", n, got, want)
		}
	}
}

// TestStringMatchPathological is Redis's "Regression for pattern matching
// long nested loops" (tests/unit/keyspace.tcl) at a larger size: without
// the skipLongerMatches cut it takes exponential time.
func TestStringMatchPathological(t *testing.T) {
	pat := []byte(strings.Repeat("a*", 30) + "b")
	s := []byte(strings.Repeat("a", 200))
	start := time.Now()
	if glob.Match(pat, s, false) {
		t.Fatal("matched")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}

func FuzzStringMatch(f *testing.F) {
	f.Add([]byte("h[a-z]*\\?"), []byte("hello?"), false)
	f.Add([]byte("[^"), []byte("x"), true)
	f.Fuzz(func(t *testing.T, pat, s []byte, nocase bool) {
		if len(pat) > 64 || len(s) > 64 {
			return
		}
		glob.Match(pat, s, nocase) // must not panic
		if glob.Match([]byte("*"), s, nocase) != (len(s) > 0) {
			t.Fatal("* must match every non-empty string")
		}
		if !glob.Match(escapeGlob(s), s, false) {
			t.Fatalf("escaped %q does not match itself", s)
		}
	})
}

// escapeGlob escapes every byte of s.
func escapeGlob(s []byte) []byte {
	var b []byte
	for _, c := range s {
		b = append(b, '\\', c)
	}
	return b
}
