package config

import "github.com/cinnabar-db/cinnabar/internal/glob"

// StringMatch reports whether s matches the glob pattern the way Redis's
// stringmatchlen (util.c) does; nocase folds ASCII case, as CONFIG GET
// does for names. See internal/glob.
func StringMatch(pattern, s string, nocase bool) bool {
	return glob.Match([]byte(pattern), []byte(s), nocase)
}
