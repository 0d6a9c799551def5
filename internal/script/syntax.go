package script

import "strconv"

// A syntax checker for Lua 5.1 (llex.c and lparser.c without code
// generation). gopher-lua's parser accepts a slightly different language
// and words its errors its own way; compiling a chunk first runs this
// checker, so scripts Lua 5.1 rejects are rejected with Lua's message,
// e.g. "user_script:1: '=' expected near 'error'".

// Token kinds: single characters are their byte value.
const (
	tkAnd = 257 + iota
	tkBreak
	tkDo
	tkElse
	tkElseif
	tkEnd
	tkFalse
	tkFor
	tkFunction
	tkIf
	tkIn
	tkLocal
	tkNil
	tkNot
	tkOr
	tkRepeat
	tkReturn
	tkThen
	tkTrue
	tkUntil
	tkWhile
	tkConcat
	tkDots
	tkEq
	tkGe
	tkLe
	tkNe
	tkNumber
	tkName
	tkString
	tkEOS
)

var tokenNames = [...]string{
	"and", "break", "do", "else", "elseif", "end", "false", "for", "function",
	"if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
	"true", "until", "while", "..", "...", "==", ">=", "<=", "~=",
	"<number>", "<name>", "<string>", "<eof>",
}

var reserved = func() map[string]int {
	m := make(map[string]int)
	for i := tkAnd; i <= tkWhile; i++ {
		m[tokenNames[i-tkAnd]] = i
	}
	return m
}()

// Lua 5.1's parser limits (luaconf.h, llimits.h).
const (
	luaMaxVars     = 200 // LUAI_MAXVARS
	luaMaxUpvalues = 60  // LUAI_MAXUPVALUES
	luaMaxCCalls   = 200 // LUAI_MAXCCALLS
)

type syntaxError struct{ msg string }

type token struct {
	kind int
	text string // save buffer of names, strings and numbers
}

type lexer struct {
	src       string
	pos       int
	line      int
	lastline  int
	chunk     string // short source name
	t         token
	ahead     token
	hasAhead  bool
	buf       []byte // text of the last token read, for messages
	nestLevel int
}

func (ls *lexer) current() int {
	if ls.pos < len(ls.src) {
		return int(ls.src[ls.pos])
	}
	return -1
}

func (ls *lexer) lexError(msg string, tok int) {
	m := ls.chunk + ":" + strconv.Itoa(ls.line) + ": " + msg
	if tok != 0 {
		m += " near '" + ls.txtToken(tok) + "'"
	}
	panic(syntaxError{m})
}

func (ls *lexer) syntaxError(msg string) { ls.lexError(msg, ls.t.kind) }

func tokenString(tok int) string {
	if tok >= tkAnd {
		return tokenNames[tok-tkAnd]
	}
	if tok < 32 || tok == 127 {
		return "char(" + strconv.Itoa(tok) + ")"
	}
	return string([]byte{byte(tok)})
}

func (ls *lexer) txtToken(tok int) string {
	switch tok {
	case tkName, tkString, tkNumber:
		return cString(ls.buf)
	}
	return tokenString(tok)
}

func (ls *lexer) next() {
	ls.lastline = ls.line
	if ls.hasAhead {
		ls.t = ls.ahead
		ls.hasAhead = false
		return
	}
	ls.t = ls.lex()
}

func (ls *lexer) lookahead() {
	ls.ahead = ls.lex()
	ls.hasAhead = true
}

func isNewline(c int) bool { return c == '\n' || c == '\r' }

func (ls *lexer) incLine() {
	old := ls.current()
	ls.pos++
	if c := ls.current(); isNewline(c) && c != old {
		ls.pos++
	}
	ls.line++
}

func (ls *lexer) save(c int) { ls.buf = append(ls.buf, byte(c)) }

func (ls *lexer) saveNext() {
	ls.save(ls.current())
	ls.pos++
}

func isAlpha(c int) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDig(c int) bool   { return c >= '0' && c <= '9' }

func (ls *lexer) lex() token {
	ls.buf = ls.buf[:0]
	for {
		c := ls.current()
		switch {
		case c == '\n' || c == '\r':
			ls.incLine()
		case c == '-':
			ls.pos++
			if ls.current() != '-' {
				return token{kind: '-'}
			}
			ls.pos++
			if ls.current() == '[' {
				sep := ls.skipSep()
				ls.buf = ls.buf[:0]
				if sep >= 0 {
					ls.readLongString(sep, false)
					ls.buf = ls.buf[:0]
					continue
				}
			}
			for c := ls.current(); c != -1 && !isNewline(c); c = ls.current() {
				ls.pos++
			}
		case c == '[':
			sep := ls.skipSep()
			if sep >= 0 {
				ls.readLongString(sep, true)
				return token{kind: tkString, text: string(ls.buf)}
			}
			if sep != -1 {
				ls.lexError("invalid long string delimiter", tkString)
			}
			return token{kind: '['}
		case c == '=':
			ls.pos++
			if ls.current() != '=' {
				return token{kind: '='}
			}
			ls.pos++
			return token{kind: tkEq}
		case c == '<':
			ls.pos++
			if ls.current() != '=' {
				return token{kind: '<'}
			}
			ls.pos++
			return token{kind: tkLe}
		case c == '>':
			ls.pos++
			if ls.current() != '=' {
				return token{kind: '>'}
			}
			ls.pos++
			return token{kind: tkGe}
		case c == '~':
			ls.pos++
			if ls.current() != '=' {
				return token{kind: '~'}
			}
			ls.pos++
			return token{kind: tkNe}
		case c == '"' || c == '\'':
			ls.readString(c)
			return token{kind: tkString, text: string(ls.buf)}
		case c == '.':
			ls.saveNext()
			if ls.current() == '.' {
				ls.saveNext()
				if ls.current() == '.' {
					ls.saveNext()
					return token{kind: tkDots}
				}
				return token{kind: tkConcat}
			}
			if !isDig(ls.current()) {
				return token{kind: '.'}
			}
			ls.readNumeral()
			return token{kind: tkNumber, text: string(ls.buf)}
		case c == -1:
			return token{kind: tkEOS}
		case c == ' ' || c == '\t' || c == '\v' || c == '\f':
			ls.pos++
		case isDig(c):
			ls.readNumeral()
			return token{kind: tkNumber, text: string(ls.buf)}
		case isAlpha(c) || c == '_':
			for c := ls.current(); isAlpha(c) || isDig(c) || c == '_'; c = ls.current() {
				ls.saveNext()
			}
			if k, ok := reserved[string(ls.buf)]; ok {
				return token{kind: k}
			}
			return token{kind: tkName, text: string(ls.buf)}
		default:
			ls.pos++
			return token{kind: c}
		}
	}
}

func (ls *lexer) readNumeral() {
	for c := ls.current(); isDig(c) || c == '.'; c = ls.current() {
		ls.saveNext()
	}
	if c := ls.current(); c == 'E' || c == 'e' {
		ls.saveNext()
		if c := ls.current(); c == '+' || c == '-' {
			ls.saveNext()
		}
	}
	for c := ls.current(); isAlpha(c) || isDig(c) || c == '_'; c = ls.current() {
		ls.saveNext()
	}
	if _, ok := str2d(string(ls.buf)); !ok {
		ls.lexError("malformed number", tkNumber)
	}
}

// skipSep reads "[" or "]" and the '='s after it: their count if the
// same bracket follows, else -count-1.
func (ls *lexer) skipSep() int {
	s := ls.current()
	ls.saveNext()
	count := 0
	for ls.current() == '=' {
		ls.saveNext()
		count++
	}
	if ls.current() == s {
		return count
	}
	return -count - 1
}

func (ls *lexer) readLongString(sep int, isString bool) {
	ls.saveNext() // second '['
	if isNewline(ls.current()) {
		ls.incLine()
	}
	for {
		switch c := ls.current(); {
		case c == -1:
			if isString {
				ls.lexError("unfinished long string", tkEOS)
			}
			ls.lexError("unfinished long comment", tkEOS)
		// The reference server's Lua is built without LUA_COMPAT_LSTR:
		// "[[" inside a long string is plain text.
		case c == ']':
			if ls.skipSep() == sep {
				ls.saveNext()
				return
			}
		case isNewline(c):
			ls.save('\n')
			ls.incLine()
			if !isString {
				ls.buf = ls.buf[:0]
			}
		default:
			if isString {
				ls.saveNext()
			} else {
				ls.pos++
			}
		}
	}
}

func (ls *lexer) readString(del int) {
	ls.saveNext()
	for ls.current() != del {
		switch c := ls.current(); {
		case c == -1:
			ls.lexError("unfinished string", tkEOS)
		case isNewline(c):
			ls.lexError("unfinished string", tkString)
		case c == '\\':
			ls.pos++
			switch e := ls.current(); e {
			case 'a':
				ls.save('\a')
				ls.pos++
			case 'b':
				ls.save('\b')
				ls.pos++
			case 'f':
				ls.save('\f')
				ls.pos++
			case 'n':
				ls.save('\n')
				ls.pos++
			case 'r':
				ls.save('\r')
				ls.pos++
			case 't':
				ls.save('\t')
				ls.pos++
			case 'v':
				ls.save('\v')
				ls.pos++
			case '\n', '\r':
				ls.save('\n')
				ls.incLine()
			case -1:
				// The loop reports the unfinished string.
			default:
				if !isDig(e) {
					ls.saveNext()
					continue
				}
				v := 0
				for i := 0; i < 3 && isDig(ls.current()); i++ {
					v = v*10 + ls.current() - '0'
					ls.pos++
				}
				if v > 255 {
					ls.lexError("escape sequence too large", tkString)
				}
				ls.save(v)
			}
		default:
			ls.saveNext()
		}
	}
	ls.saveNext()
}

// ---- parser ----

type funcState struct {
	parent  *funcState
	actvars []string // active local variables
	upvals  []string
	vararg  bool
	line    int // linedefined; 0 for the main function
	blocks  []bool
}

type parser struct {
	lexer
	fs     *funcState
	levels int
}

// checkSyntax reports Lua 5.1's compile error for src, or "".
func checkSyntax(src, chunk string) (msg string) {
	p := &parser{lexer: lexer{src: src, line: 1, chunk: chunk}}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(syntaxError)
			if !ok {
				panic(r)
			}
			msg = se.msg
		}
	}()
	p.fs = &funcState{vararg: true}
	p.next()
	p.chunk()
	p.check(tkEOS)
	return ""
}

func (p *parser) enterLevel() {
	p.levels++
	if p.levels > luaMaxCCalls {
		p.lexError("chunk has too many syntax levels", 0)
	}
}

func (p *parser) leaveLevel() { p.levels-- }

func (p *parser) errorExpected(tok int) {
	p.syntaxError("'" + tokenString(tok) + "' expected")
}

func (p *parser) testNext(c int) bool {
	if p.t.kind == c {
		p.next()
		return true
	}
	return false
}

func (p *parser) check(c int) {
	if p.t.kind != c {
		p.errorExpected(c)
	}
}

func (p *parser) checkNext(c int) {
	p.check(c)
	p.next()
}

func (p *parser) checkMatch(what, who, where int) {
	if p.testNext(what) {
		return
	}
	if where == p.line {
		p.errorExpected(what)
	}
	p.syntaxError("'" + tokenString(what) + "' expected (to close '" + tokenString(who) + "' at line " + strconv.Itoa(where) + ")")
}

func (p *parser) checkName() string {
	p.check(tkName)
	s := p.t.text
	p.next()
	return s
}

func (p *parser) errorLimit(limit int, what string) {
	var msg string
	if p.fs.line == 0 {
		msg = "main function has more than " + strconv.Itoa(limit) + " " + what
	} else {
		msg = "function at line " + strconv.Itoa(p.fs.line) + " has more than " + strconv.Itoa(limit) + " " + what
	}
	p.lexError(msg, 0)
}

func (p *parser) newLocal(name string, n int) {
	if len(p.fs.actvars)+n+1 > luaMaxVars {
		p.errorLimit(luaMaxVars, "local variables")
	}
}

func (p *parser) activate(names []string) { p.fs.actvars = append(p.fs.actvars, names...) }

// singleVar resolves a name, creating upvalues as Lua does.
func (p *parser) singleVar(name string) {
	resolve(p, p.fs, name, true)
}

// resolve returns 1 for a local, 2 for an upvalue, 0 for a global.
func resolve(p *parser, fs *funcState, name string, base bool) int {
	if fs == nil {
		return 0
	}
	for i := len(fs.actvars) - 1; i >= 0; i-- {
		if fs.actvars[i] == name {
			return 1
		}
	}
	if resolve(p, fs.parent, name, false) == 0 {
		return 0
	}
	for _, u := range fs.upvals {
		if u == name {
			return 2
		}
	}
	if len(fs.upvals)+1 > luaMaxUpvalues {
		saved := p.fs
		p.fs = fs
		p.errorLimit(luaMaxUpvalues, "upvalues")
		p.fs = saved
	}
	fs.upvals = append(fs.upvals, name)
	return 2
}

func blockFollow(k int) bool {
	switch k {
	case tkElse, tkElseif, tkEnd, tkUntil, tkEOS:
		return true
	}
	return false
}

func (p *parser) chunk() {
	p.enterLevel()
	last := false
	for !last && !blockFollow(p.t.kind) {
		last = p.statement()
		p.testNext(';')
	}
	p.leaveLevel()
}

func (p *parser) block(loop bool) {
	fs := p.fs
	n := len(fs.actvars)
	fs.blocks = append(fs.blocks, loop)
	p.chunk()
	fs.blocks = fs.blocks[:len(fs.blocks)-1]
	fs.actvars = fs.actvars[:n]
}

func (p *parser) statement() bool {
	line := p.line
	switch p.t.kind {
	case tkIf:
		p.ifStat(line)
	case tkWhile:
		p.next()
		p.expr()
		p.checkNext(tkDo)
		p.block(true)
		p.checkMatch(tkEnd, tkWhile, line)
	case tkDo:
		p.next()
		p.block(false)
		p.checkMatch(tkEnd, tkDo, line)
	case tkFor:
		p.forStat(line)
	case tkRepeat:
		p.repeatStat(line)
	case tkFunction:
		p.next()
		p.singleVar(p.checkName())
		for p.t.kind == '.' {
			p.next()
			p.checkName()
		}
		if p.t.kind == ':' {
			p.next()
			p.checkName()
			p.body(true, line)
		} else {
			p.body(false, line)
		}
	case tkLocal:
		p.next()
		if p.testNext(tkFunction) {
			name := p.checkName()
			p.newLocal(name, 0)
			p.activate([]string{name})
			p.body(false, p.line)
		} else {
			p.localStat()
		}
	case tkReturn:
		p.next()
		if !blockFollow(p.t.kind) && p.t.kind != ';' {
			p.exprList()
		}
		return true
	case tkBreak:
		p.next()
		loop := false
		for _, b := range p.fs.blocks {
			loop = loop || b
		}
		if !loop {
			p.syntaxError("no loop to break")
		}
		return true
	default:
		p.exprStat()
	}
	return false
}

func (p *parser) ifStat(line int) {
	p.next()
	p.expr()
	p.checkNext(tkThen)
	p.block(false)
	for p.t.kind == tkElseif {
		p.next()
		p.expr()
		p.checkNext(tkThen)
		p.block(false)
	}
	if p.testNext(tkElse) {
		p.block(false)
	}
	p.checkMatch(tkEnd, tkIf, line)
}

func (p *parser) repeatStat(line int) {
	fs := p.fs
	n := len(fs.actvars)
	p.next()
	fs.blocks = append(fs.blocks, true)
	p.chunk()
	p.checkMatch(tkUntil, tkRepeat, line)
	p.expr() // the condition sees the loop's locals
	fs.blocks = fs.blocks[:len(fs.blocks)-1]
	fs.actvars = fs.actvars[:n]
}

func (p *parser) forStat(line int) {
	fs := p.fs
	n := len(fs.actvars)
	p.next()
	name := p.checkName()
	switch p.t.kind {
	case '=':
		// fornum: three hidden control variables plus the name.
		p.newLocal("(for index)", 0)
		p.newLocal("(for limit)", 1)
		p.newLocal("(for step)", 2)
		p.newLocal(name, 3)
		p.checkNext('=')
		p.expr()
		p.checkNext(',')
		p.expr()
		if p.testNext(',') {
			p.expr()
		}
		p.activate([]string{"(for index)", "(for limit)", "(for step)"})
		p.forBody([]string{name})
	case ',', tkIn:
		names := []string{"(for generator)", "(for state)", "(for control)"}
		for i := range names {
			p.newLocal(names[i], i)
		}
		vars := []string{name}
		p.newLocal(name, 3)
		for p.testNext(',') {
			v := p.checkName()
			p.newLocal(v, 3+len(vars))
			vars = append(vars, v)
		}
		p.checkNext(tkIn)
		p.exprList()
		p.activate(names)
		p.forBody(vars)
	default:
		p.syntaxError("'=' or 'in' expected")
	}
	p.checkMatch(tkEnd, tkFor, line)
	fs.actvars = fs.actvars[:n]
}

func (p *parser) forBody(vars []string) {
	p.checkNext(tkDo)
	fs := p.fs
	n := len(fs.actvars)
	fs.blocks = append(fs.blocks, true)
	p.activate(vars)
	p.block(false)
	fs.blocks = fs.blocks[:len(fs.blocks)-1]
	fs.actvars = fs.actvars[:n]
}

func (p *parser) localStat() {
	var names []string
	for {
		name := p.checkName()
		p.newLocal(name, len(names))
		names = append(names, name)
		if !p.testNext(',') {
			break
		}
	}
	if p.testNext('=') {
		p.exprList()
	}
	p.activate(names)
}

func (p *parser) body(self bool, line int) {
	fs := &funcState{parent: p.fs, line: line}
	p.fs = fs
	if self {
		p.newLocal("self", 0)
		p.activate([]string{"self"})
	}
	p.checkNext('(')
	if p.t.kind != ')' {
		for {
			switch p.t.kind {
			case tkName:
				name := p.checkName()
				p.newLocal(name, 0)
				p.activate([]string{name})
			case tkDots:
				p.next()
				// LUA_COMPAT_VARARG: the implicit "arg" local.
				p.newLocal("arg", 0)
				p.activate([]string{"arg"})
				fs.vararg = true
			default:
				p.syntaxError("<name> or '...' expected")
			}
			if fs.vararg || !p.testNext(',') {
				break
			}
		}
	}
	p.checkNext(')')
	p.chunk()
	p.checkMatch(tkEnd, tkFunction, line)
	p.fs = fs.parent
}

func (p *parser) exprList() int {
	n := 1
	p.expr()
	for p.testNext(',') {
		p.expr()
		n++
	}
	return n
}

// Expression kinds that matter for checks.
const (
	expOther = iota
	expVar   // assignable: local, upvalue, global, indexed
	expCall
)

func (p *parser) exprStat() {
	kind := p.primaryExp()
	if kind == expCall {
		return
	}
	p.assignment(kind, 1)
}

func (p *parser) assignment(kind, nvars int) {
	if kind != expVar {
		p.syntaxError("syntax error")
	}
	if p.testNext(',') {
		k := p.primaryExp()
		if nvars > luaMaxCCalls-p.levels {
			p.errorLimit(luaMaxCCalls-p.levels, "variables in assignment")
		}
		p.assignment(k, nvars+1)
		return
	}
	p.checkNext('=')
	p.exprList()
}

func (p *parser) prefixExp() int {
	switch p.t.kind {
	case '(':
		line := p.line
		p.next()
		p.expr()
		p.checkMatch(')', '(', line)
		return expOther
	case tkName:
		p.singleVar(p.checkName())
		return expVar
	}
	p.syntaxError("unexpected symbol")
	return expOther
}

func (p *parser) primaryExp() int {
	kind := p.prefixExp()
	for {
		switch p.t.kind {
		case '.':
			p.next()
			p.checkName()
			kind = expVar
		case '[':
			p.next()
			p.expr()
			p.checkNext(']')
			kind = expVar
		case ':':
			p.next()
			p.checkName()
			p.funcArgs()
			kind = expCall
		case '(', tkString, '{':
			p.funcArgs()
			kind = expCall
		default:
			return kind
		}
	}
}

func (p *parser) funcArgs() {
	line := p.line
	switch p.t.kind {
	case '(':
		if line != p.lastline {
			p.syntaxError("ambiguous syntax (function call x new statement)")
		}
		p.next()
		if p.t.kind != ')' {
			p.exprList()
		}
		p.checkMatch(')', '(', line)
	case '{':
		p.constructor()
	case tkString:
		p.next()
	default:
		p.syntaxError("function arguments expected")
	}
}

func (p *parser) constructor() {
	line := p.line
	p.checkNext('{')
	for p.t.kind != '}' {
		switch p.t.kind {
		case tkName:
			p.lookahead()
			if p.ahead.kind != '=' {
				p.expr()
			} else {
				p.checkName()
				p.checkNext('=')
				p.expr()
			}
		case '[':
			p.next()
			p.expr()
			p.checkNext(']')
			p.checkNext('=')
			p.expr()
		default:
			p.expr()
		}
		if !p.testNext(',') && !p.testNext(';') {
			break
		}
	}
	p.checkMatch('}', '{', line)
}

func (p *parser) simpleExp() int {
	switch p.t.kind {
	case tkNumber, tkString, tkNil, tkTrue, tkFalse:
		p.next()
	case tkDots:
		if !p.fs.vararg {
			p.syntaxError("cannot use '...' outside a vararg function")
		}
		p.next()
	case '{':
		p.constructor()
	case tkFunction:
		p.next()
		p.body(false, p.line)
	default:
		return p.primaryExp()
	}
	return expOther
}

// Binary operator priorities (left, right), Lua 5.1.
func binaryPriority(k int) (int, int, bool) {
	switch k {
	case '+', '-':
		return 6, 6, true
	case '*', '/', '%':
		return 7, 7, true
	case '^':
		return 10, 9, true
	case tkConcat:
		return 5, 4, true
	case tkEq, tkNe, '<', tkLe, '>', tkGe:
		return 3, 3, true
	case tkAnd:
		return 2, 2, true
	case tkOr:
		return 1, 1, true
	}
	return 0, 0, false
}

const unaryPriority = 8

func (p *parser) expr() int { return p.subExpr(0) }

func (p *parser) subExpr(limit int) int {
	p.enterLevel()
	kind := expOther
	if k := p.t.kind; k == tkNot || k == '-' || k == '#' {
		p.next()
		p.subExpr(unaryPriority)
	} else {
		kind = p.simpleExp()
	}
	for {
		left, right, ok := binaryPriority(p.t.kind)
		if !ok || left <= limit {
			break
		}
		p.next()
		p.subExpr(right)
		kind = expOther
	}
	p.leaveLevel()
	return kind
}
