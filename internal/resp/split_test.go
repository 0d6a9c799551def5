package resp

import (
	"bytes"
	"testing"
)

// splitCases were checked one by one against redis-server 7.0.15 by sending
// "RPUSH l <line>" inline and reading back LRANGE l 0 -1 (the splitting is
// sdssplitargs in src/sds.c, called from processInlineBuffer in
// src/networking.c). ok=false is Redis's "ERR Protocol error: unbalanced quotes
// in request".
var splitCases = []struct {
	line string
	want []string
	ok   bool
}{
	{`a b c`, []string{"a", "b", "c"}, true},
	{`  a   b  `, []string{"a", "b"}, true},
	{"a\tb", []string{"a", "b"}, true},
	{`"a b" c`, []string{"a b", "c"}, true},
	{`"a\x41\x4a" `, []string{"aAJ"}, true},
	{`"\x4g"`, []string{"x4g"}, true},
	{`"\X41"`, []string{"X41"}, true},
	{`"\x"`, []string{"x"}, true},
	{`"a\nb\r\tc\bd\ae\\f\"g"`, []string{"a\nb\r\tc\bd\a" + "e\\f\"g"}, true},
	{`'a\'b'`, []string{"a'b"}, true},
	{`'a\nb'`, []string{`a\nb`}, true},
	{`""`, []string{""}, true},
	{`''`, []string{""}, true},
	{`a"b c"`, []string{"ab c"}, true},
	{`a"b"`, []string{"ab"}, true},
	{`a'b'`, []string{"ab"}, true},
	{`a""`, []string{"a"}, true},
	{"a\vb", []string{"a\vb"}, true}, // \v and \f do not end an unquoted token...
	{"a\fb", []string{"a\fb"}, true},
	{"\va", []string{"a"}, true},           // ...but are skipped as blanks between tokens
	{"\"a\"\vb", []string{"a", "b"}, true}, // and may follow a closing quote
	{`x 'a b'  "c" `, []string{"x", "a b", "c"}, true},
	{`"a" "b"`, []string{"a", "b"}, true},
	{`"\xff\x00z"`, []string{"\xff\x00z"}, true},
	{`"'"`, []string{"'"}, true},
	{`'"'`, []string{`"`}, true},
	{``, nil, true},
	{`   `, nil, true},

	{`"a"b`, nil, false},
	{`'a'b`, nil, false},
	{`a"b c"d`, nil, false},
	{`"unterminated`, nil, false},
	{`'unterminated`, nil, false},
	{`"trailing\`, nil, false},
	{`"a\"`, nil, false},
	{`'\\'`, nil, false},
	{`'\'`, nil, false},
	{`"\`, nil, false},
	{`"\x41"x`, nil, false},
	{`'a''b'`, nil, false},
	{`""""`, nil, false},
}

func TestSplitArgs(t *testing.T) {
	for _, tc := range splitCases {
		got, ok := SplitArgs([]byte(tc.line), nil)
		if ok != tc.ok {
			t.Errorf("SplitArgs(%q): ok = %v, want %v", tc.line, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		if !equalArgs(got, tc.want) {
			t.Errorf("SplitArgs(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}

// TestSplitArgsAppendsToDst checks that SplitArgs appends after dst's
// elements and that unquoted arguments cannot be appended into the line.
func TestSplitArgsAppendsToDst(t *testing.T) {
	line := []byte("ab cd")
	dst := [][]byte{[]byte("x")}
	got, ok := SplitArgs(line, dst)
	if !ok || !equalArgs(got, []string{"x", "ab", "cd"}) {
		t.Fatalf("got %q, %v", got, ok)
	}
	_ = append(got[1], 'Z')
	if string(line) != "ab cd" {
		t.Fatalf("appending to an argument overwrote the line: %q", line)
	}
}

// TestReaderInlineSplit runs every split case through the Reader as an
// inline request, with both line endings.
func TestReaderInlineSplit(t *testing.T) {
	for _, tc := range splitCases {
		for _, eol := range []string{"\r\n", "\n"} {
			r := NewReader()
			r.Feed([]byte(tc.line + eol))
			argv, err := r.Next()
			if !tc.ok {
				wantProtocolError(t, err, "ERR Protocol error: unbalanced quotes in request")
				continue
			}
			if err != nil {
				t.Errorf("%q: %v", tc.line, err)
				continue
			}
			if !equalArgs(argv, tc.want) {
				t.Errorf("%q: argv = %q, want %q", tc.line, argv, tc.want)
			}
			if r.Buffered() != 0 {
				t.Errorf("%q: %d bytes left", tc.line, r.Buffered())
			}
		}
	}
}

func equalArgs(got [][]byte, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !bytes.Equal(got[i], []byte(want[i])) {
			return false
		}
	}
	return true
}
