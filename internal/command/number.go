package command

import "github.com/cinnabar-db/cinnabar/internal/resp"

// parseInt parses an argument as Redis's string2ll.
func parseInt(b []byte) (int64, bool) { return resp.ParseInt(b) }
