package command

import "github.com/cinnabar-db/cinnabar/internal/glob"

// StringMatch is Redis's stringmatchlen (see internal/glob).
func StringMatch(pattern, s []byte, nocase bool) bool { return glob.Match(pattern, s, nocase) }
