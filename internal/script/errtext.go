package script

import (
	"strings"
)

// gopher-lua words some runtime errors differently from Lua 5.1. The
// handlers that turn errors into replies (and pcall) rewrite them into
// Lua 5.1's wording. Lua also names the variable involved ("local 'x'",
// "field 'y'"); gopher-lua does not expose what that needs, so those
// details are missing.

// luaErrorText rewrites a gopher-lua runtime error message (with its
// "chunk:line: " prefix, if any) into Lua 5.1's wording.
func luaErrorText(msg string) string {
	prefix, body := splitPosition(msg)
	if t, ok := rewriteBody(body); ok {
		return prefix + t
	}
	return msg
}

// splitPosition splits "chunk:line: rest" after the position.
func splitPosition(msg string) (string, string) {
	for i := 0; i+1 < len(msg); i++ {
		if msg[i] == ':' && i+1 < len(msg) && isDigit(msg[i+1]) {
			j := i + 1
			for j < len(msg) && isDigit(msg[j]) {
				j++
			}
			if j+1 < len(msg) && msg[j] == ':' && msg[j+1] == ' ' {
				return msg[:j+2], msg[j+2:]
			}
		}
	}
	return "", msg
}

func rewriteBody(b string) (string, bool) {
	switch {
	case strings.HasPrefix(b, "cannot perform concat operation between "):
		a, c, ok := twoTypes(b[len("cannot perform concat operation between "):], " and ")
		if !ok {
			return "", false
		}
		bad := a
		if a == "string" || a == "number" {
			bad = c
		}
		return "attempt to concatenate a " + bad + " value", true
	case strings.HasPrefix(b, "cannot perform ") && strings.Contains(b, " operation between "):
		rest := b[strings.Index(b, " operation between ")+len(" operation between "):]
		a, c, ok := twoTypes(rest, " and ")
		if !ok {
			return "", false
		}
		// luaG_aritherror blames the first operand that is not a number
		// (a numeric string counts as one).
		bad := a
		if a == "number" || a == "string" && c != "number" && c != "string" {
			bad = c
		}
		return "attempt to perform arithmetic on a " + bad + " value", true
	case strings.HasPrefix(b, "attempt to compare "):
		a, c, ok := twoTypes(b[len("attempt to compare "):], " with ")
		if !ok {
			return "", false
		}
		if a == c {
			return "attempt to compare two " + a + " values", true
		}
		return "attempt to compare " + a + " with " + c, true
	case strings.HasPrefix(b, "attempt to index a non-table object("):
		rest := b[len("attempt to index a non-table object("):]
		i := strings.IndexByte(rest, ')')
		if i < 0 {
			return "", false
		}
		return "attempt to index a " + rest[:i] + " value", true
	case b == "attempt to call a non-function object":
		return "attempt to call a nil value", true
	case strings.TrimSpace(b) == "can not yield from outside of a coroutine":
		return "attempt to yield across metamethod/C-call boundary", true
	case b == "__len undefined":
		return "attempt to get length of a nil value", true
	case b == "for statement init must be a number":
		return "'for' initial value must be a number", true
	case b == "for statement limit must be a number":
		return "'for' limit must be a number", true
	case b == "for statement step must be a number":
		return "'for' step must be a number", true
	case strings.HasPrefix(b, "bad argument #"):
		// gopher-lua: "bad argument #1 to rep (msg)"; Lua quotes the name.
		sp := strings.Index(b, " to ")
		if sp < 0 {
			return "", false
		}
		rest := b[sp+4:]
		paren := strings.Index(rest, " (")
		if paren < 0 || strings.HasPrefix(rest, "'") {
			return "", false
		}
		name := rest[:paren]
		if name == "" || name[0] == '(' || name[0] == '<' {
			name = "?"
		}
		return b[:sp] + " to '" + name + "'" + rest[paren:], true
	}
	return "", false
}

func twoTypes(s, sep string) (string, string, bool) {
	i := strings.Index(s, sep)
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+len(sep):], true
}
