package config

import (
	"math"
	"reflect"
	"testing"
)

// Behaviour of sdssplitargs (Redis src/sds.c) and its tests in sds.c.
func TestSplitArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"", []string{}, true},
		{"   \t ", []string{}, true},
		{"save 900 1", []string{"save", "900", "1"}, true},
		{"  a\t\tb  ", []string{"a", "b"}, true},
		{`"hello world"`, []string{"hello world"}, true},
		{`"a\nb\r\t\b\a\"\\\q"`, []string{"a\nb\r\t\b\a\"\\q"}, true},
		{`"\x41\x4a\x4B\xzz"`, []string{"AJKxzz"}, true},
		{`'it\'s' 'a\nb'`, []string{"it's", `a\nb`}, true},
		{`""`, []string{""}, true},
		{`'' x`, []string{"", "x"}, true},
		{`a"b c"`, []string{"ab c"}, true},
		{`"foo"bar`, nil, false},
		{`'foo'bar`, nil, false},
		{`"unterminated`, nil, false},
		{`'unterminated`, nil, false},
		{`"trailing\`, nil, false},
		{"a\x00b", []string{"a"}, true},
		{"\"\\x00\"", []string{"\x00"}, true},
	}
	for _, tc := range tests {
		got, ok := splitArgs(tc.in)
		if ok != tc.ok || (ok && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestReprRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain", "a b", "q\"uote", "back\\slash", "\n\r\t\a\b", "\x00\x01\xff~"} {
		r := repr(s)
		got, ok := splitArgs(r)
		if !ok || len(got) != 1 || got[0] != s {
			t.Errorf("splitArgs(repr(%q)=%s) = %q, %v", s, r, got, ok)
		}
	}
	if got := repr("a\"b\n\x01"); got != `"a\"b\n\x01"` {
		t.Errorf("repr = %s", got)
	}
}

// memtoull (Redis src/util.c).
func TestMemToUint(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"", 0, true},
		{"kb", 0, true},
		{"100", 100, true},
		{"1b", 1, true},
		{"1k", 1000, true},
		{"1kb", 1024, true},
		{"1KB", 1024, true},
		{"1Kb", 1024, true},
		{"2m", 2000000, true},
		{"2mb", 2 << 20, true},
		{"3g", 3000000000, true},
		{"3gb", 3 << 30, true},
		{"1tb", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1.5mb", 0, false},
		{"18446744073709551615", math.MaxUint64, true},
		{"18446744073709551616", math.MaxUint64, true},         // strtoull saturates
		{"99999999999999999999kb", 18446744073709550592, true}, // and the product wraps
	}
	for _, tc := range tests {
		got, ok := memToUint(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("memToUint(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// string2ll (Redis src/util.c) is strict.
func TestString2ll(t *testing.T) {
	good := map[string]int64{"0": 0, "1": 1, "-1": -1, "9223372036854775807": math.MaxInt64, "-9223372036854775808": math.MinInt64}
	for s, want := range good {
		if got, ok := string2ll(s); !ok || got != want {
			t.Errorf("string2ll(%q) = %d, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "-", "+1", " 1", "1 ", "01", "-0", "1.0", "9223372036854775808", "-9223372036854775809", "1e3", "0x10"} {
		if _, ok := string2ll(s); ok {
			t.Errorf("string2ll(%q) accepted", s)
		}
	}
}

func TestStrtoll(t *testing.T) {
	tests := []struct {
		in            string
		base          int
		v             int64
		complete, ovf bool
	}{
		{"777", 8, 0o777, true, false},
		{"0777", 8, 0o777, true, false},
		{"8", 8, 0, false, false},
		{"", 10, 0, true, false},
		{" ", 10, 0, false, false},
		{" +12", 10, 12, true, false},
		{"-12", 10, -12, true, false},
		{"12x", 10, 12, false, false},
		{"99999999999999999999", 10, math.MaxInt64, true, true},
	}
	for _, tc := range tests {
		v, c, o := strtoll(tc.in, tc.base)
		if v != tc.v || c != tc.complete || o != tc.ovf {
			t.Errorf("strtoll(%q, %d) = %d, %v, %v", tc.in, tc.base, v, c, o)
		}
	}
}

// rewriteConfigFormatMemory (Redis src/config.c).
func TestAppendMemory(t *testing.T) {
	for v, want := range map[int64]string{0: "0", 1: "1", 1024: "1kb", 1536: "1536", 1 << 20: "1mb", 3 << 30: "3gb", 2000000: "2000000", 1025 << 10: "1025kb"} {
		if got := string(appendMemory(nil, v)); got != want {
			t.Errorf("appendMemory(%d) = %q, want %q", v, got, want)
		}
	}
}

func TestFormatPercentile(t *testing.T) {
	for f, want := range map[float64]string{50: "50", 99.9: "99.9", 99.99: "99.99", 0: "0", 12.5: "12.5", 100: "100"} {
		if got := string(formatPercentile(nil, f)); got != want {
			t.Errorf("formatPercentile(%v) = %q, want %q", f, got, want)
		}
	}
}

// Glob cases from Redis's tests/unit/keyspace.tcl KEYS tests and
// util.c's stringmatchlen.
func TestStringMatch(t *testing.T) {
	tests := []struct {
		pat, s string
		nocase bool
		want   bool
	}{
		{"*", "", false, false}, // the loop needs a non-empty string, as in C
		{"*", "anything", false, true},
		{"", "", false, true},
		{"", "a", false, false},
		{"a*", "abc", false, true},
		{"*c", "abc", false, true},
		{"a*c", "ac", false, true},
		{"a*b*c", "axxbyyc", false, true},
		{"a*b*c", "axxbyy", false, false},
		{"h?llo", "hello", false, true},
		{"h?llo", "hllo", false, false},
		{"h[ae]llo", "hallo", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-b]llo", "hbllo", false, true},
		{"h[b-a]llo", "hallo", false, true}, // reversed range
		{"h[a-b]llo", "hcllo", false, false},
		{"h\\*llo", "h*llo", false, true},
		{"h\\*llo", "hello", false, false},
		{"h[\\]]llo", "h]llo", false, true},
		{"[abc", "a", false, true}, // unterminated class
		{"[abc", "ab", false, false},
		{"MAX*", "maxmemory", true, true},
		{"MAX*", "maxmemory", false, false},
		{"[A-C]*", "bind", true, true},
		{"a**b", "ab", false, true},
		{"*a", "", false, false},
		{"a\\", "a\\", false, true},
	}
	for _, tc := range tests {
		if got := StringMatch(tc.pat, tc.s, tc.nocase); got != tc.want {
			t.Errorf("StringMatch(%q, %q, %v) = %v", tc.pat, tc.s, tc.nocase, got)
		}
	}
}

func TestNotifyKeyspaceEvents(t *testing.T) {
	for in, want := range map[string]string{
		"":       "",
		"KEA":    "AKE",
		"Ex":     "xE",
		"Kgx$m":  "g$xKm",
		"AKEmn":  "AKEm", // n is not in A, but "A" printing swallows it
		"gn":     "gn",
		"Kd":     "dK",
		"lshzet": "lshzet",
	} {
		flags, ok := ParseNotifyKeyspaceEvents(in)
		if !ok {
			t.Fatalf("ParseNotifyKeyspaceEvents(%q) failed", in)
		}
		if got := string(AppendNotifyKeyspaceEvents(nil, flags)); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
	if _, ok := ParseNotifyKeyspaceEvents("KQ"); ok {
		t.Error("accepted Q")
	}
}
