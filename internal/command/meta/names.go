package meta

// nameIndex finds a command by name ignoring ASCII case, the lookup every
// request makes: an open-addressing table at most half full, keyed by an
// FNV-1a hash of the lower-cased name. Unlike a Go map it needs neither a
// lower-cased copy of the name nor the runtime's string hash.
type nameIndex struct {
	cmds  []*Command
	names []string // the lowercase key of each slot
	mask  uint64
}

func newNameIndex(m map[string]*Command) nameIndex {
	size := 8
	for size < 2*len(m) {
		size *= 2
	}
	x := nameIndex{cmds: make([]*Command, size), names: make([]string, size), mask: uint64(size - 1)}
	for name, c := range m {
		i := foldHash([]byte(name)) & x.mask
		for x.cmds[i] != nil {
			i = (i + 1) & x.mask
		}
		x.cmds[i], x.names[i] = c, name
	}
	return x
}

func foldHash(name []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, b := range name {
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		h = (h ^ uint64(b)) * 1099511628211
	}
	return h
}

func (x *nameIndex) get(name []byte) *Command {
	if len(x.cmds) == 0 || len(name) > maxNameLen {
		return nil
	}
	for i := foldHash(name) & x.mask; ; i = (i + 1) & x.mask {
		c := x.cmds[i]
		if c == nil {
			return nil
		}
		if equalFoldLower(x.names[i], name) {
			return c
		}
	}
}

// equalFoldLower reports whether name equals the lowercase lower, ignoring
// ASCII case.
func equalFoldLower(lower string, name []byte) bool {
	if len(lower) != len(name) {
		return false
	}
	for i, b := range name {
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != lower[i] {
			return false
		}
	}
	return true
}
