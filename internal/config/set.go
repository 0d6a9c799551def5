package config

import (
	"errors"
	"strings"
)

// Reply errors of CONFIG SET that do not name a parameter; the others are
// built by setError. Texts are Redis 7.0's (config.c configSetCommand and
// server.c's shared error objects).
var (
	ErrSyntax  = errors.New("ERR syntax error")
	ErrLoading = errors.New("LOADING Redis is loading the dataset in memory")
)

// SetOptions carries what CONFIG SET needs to know about its caller.
type SetOptions struct {
	// LocalClient reports whether the client is connected over loopback or
	// a Unix socket: with enable-protected-configs "local", only local
	// clients may set protected parameters (dir, dbfilename).
	LocalClient bool
	// Loading reports whether the server is loading a dataset; parameters
	// flagged deny-loading (dir, appendonly, repl-diskless-load) then fail
	// with ErrLoading.
	Loading bool
}

// Set implements CONFIG SET name value [name value ...] for a remote client
// while not loading; see SetWith.
func (c *Config) Set(pairs ...string) error {
	return c.SetWith(SetOptions{}, pairs...)
}

// SetWith implements CONFIG SET: it validates every pair, then stores every
// value, then runs the change hooks; nothing is changed unless every value
// is valid, and a failing hook rolls every value back. Multi-argument
// parameters (save, bind, client-output-buffer-limit, ...) take their
// arguments separated by single spaces in one value. Errors carry Redis
// 7.0's reply text, "ERR " prefix included:
//
//	ERR Unknown option or number of arguments for CONFIG SET - 'foo'
//	ERR CONFIG SET failed (possibly related to argument 'x') - <reason>
func (c *Config) SetWith(opts SetOptions, pairs ...string) error {
	if len(pairs)%2 != 0 {
		return ErrSyntax
	}
	c.mu.Lock()
	defer c.mu.Unlock()

	n := len(pairs) / 2
	entries := make([]*entry, n)
	for i := 0; i < n; i++ {
		name := pairs[2*i]
		e := c.lookup(name)
		if e == nil {
			return errors.New("ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'")
		}
		p := e.p
		if p.flags&fImmutable != 0 {
			return setError(name, "can't set immutable config")
		}
		if p.flags&fProtected != 0 && !allowProtected(c.EnableProtectedConfigs.Load(), opts.LocalClient) {
			return setError(name, "can't set protected config")
		}
		if opts.Loading && p.flags&fDenyLoading != 0 {
			return ErrLoading
		}
		for j := 0; j < i; j++ {
			if entries[j] == e {
				return setError(name, "duplicate parameter")
			}
		}
		entries[i] = e
	}

	// Validate everything before touching anything.
	values := make([]any, n)
	for i, e := range entries {
		v, reason := e.p.kind.parse(c, setArgs(e.p, pairs[2*i+1]), nil)
		if reason != "" {
			return setError(e.name, reason)
		}
		values[i] = v
	}

	old := make([]any, n)
	for i, e := range entries {
		old[i] = e.p.kind.value(c)
	}
	var pending []*hook
	var pendingParam []*entry
	for i, e := range entries {
		changed := e.p.kind.store(c, values[i])
		if !changed && e.p.flags&fVolatile == 0 {
			continue
		}
		for _, h := range c.hooks[e.p] {
			if !containsHook(pending, h) {
				pending = append(pending, h)
				pendingParam = append(pendingParam, e)
			}
		}
	}
	for i, h := range pending {
		if err := h.fn(); err != nil {
			for j := n - 1; j >= 0; j-- {
				entries[j].p.kind.store(c, old[j])
			}
			for _, h := range pending {
				_ = h.fn() // Redis only logs failures to re-apply the old values.
			}
			return setError(pendingParam[i].name, err.Error())
		}
	}
	return nil
}

func containsHook(hs []*hook, h *hook) bool {
	for _, x := range hs {
		if x == h {
			return true
		}
	}
	return false
}

func setError(name, reason string) error {
	if reason == "" {
		return errors.New("ERR CONFIG SET failed (possibly related to argument '" + name + "')")
	}
	return errors.New("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason)
}

// setArgs turns one CONFIG SET value into the parameter's arguments: as
// performInterfaceSet does, multi-argument parameters split on single
// spaces (so "" is no arguments and "a  b" has an empty middle one).
func setArgs(p *param, value string) []string {
	if p.flags&fMultiArg == 0 {
		return []string{value}
	}
	if value == "" {
		return nil
	}
	return strings.Split(value, " ")
}

// allowProtected mirrors allowProtectedAction (config.c).
func allowProtected(setting int, local bool) bool {
	return setting == ProtectedYes || (setting == ProtectedLocal && local)
}
