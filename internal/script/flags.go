package script

import (
	"bytes"
	"strings"

	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// Flags are a script's or function's flags (SCRIPT_FLAG_* of script.h,
// same bit values).
type Flags uint64

const (
	FlagNoWrites       Flags = 1 << 0
	FlagAllowOOM       Flags = 1 << 1
	FlagAllowStale     Flags = 1 << 2
	FlagNoCluster      Flags = 1 << 3
	FlagEvalCompat     Flags = 1 << 4 // EVAL script without a shebang
	FlagAllowCrossSlot Flags = 1 << 5
)

// flagNames is scripts_flags_def, in Redis's order (FUNCTION LIST
// reports flags in this order).
var flagNames = [...]struct {
	flag Flags
	name string
}{
	{FlagNoWrites, "no-writes"},
	{FlagAllowOOM, "allow-oom"},
	{FlagAllowStale, "allow-stale"},
	{FlagNoCluster, "no-cluster"},
	{FlagAllowCrossSlot, "allow-cross-slot-keys"},
}

// AppendNames appends the names of the declarable flags set in f, in
// Redis's order.
func (f Flags) AppendNames(dst []string) []string {
	for _, fn := range flagNames {
		if f&fn.flag != 0 {
			dst = append(dst, fn.name)
		}
	}
	return dst
}

// ParseShebang reads the "#!lua flags=..." line of an EVAL script
// (evalExtractShebangFlags). It returns the flags (FlagEvalCompat when
// there is no shebang) and the length of the shebang line, which the
// compiler skips while keeping the newline so line numbers stay right.
func ParseShebang(body []byte) (Flags, int, error) {
	if !bytes.HasPrefix(body, []byte("#!")) {
		return FlagEvalCompat, 0, nil
	}
	end := bytes.IndexByte(body, '\n')
	if end < 0 {
		return 0, 0, ReplyError(ErrInvalidShebang)
	}
	parts, ok := resp.SplitArgs(body[:end], nil)
	if !ok || len(parts) == 0 {
		return 0, 0, ReplyError(ErrInvalidEngine)
	}
	if string(parts[0]) != "#!lua" {
		return 0, 0, errUnexpectedEngine(cString(parts[0]))
	}
	var flags Flags
	for _, p := range parts[1:] {
		if !bytes.HasPrefix(p, []byte("flags=")) {
			return 0, 0, errUnknownShebangOption(cString(p))
		}
		// sdssplitlen on "," of the value; an empty value yields no flag.
		list := string(p[len("flags="):])
		if list == "" {
			continue
		}
		for _, name := range strings.Split(list, ",") {
			f, ok := flagByName(name, false)
			if !ok {
				return 0, 0, errUnexpectedFlag(cString([]byte(name)))
			}
			flags |= f
		}
	}
	return flags, end, nil
}

// flagByName looks a flag up by its name; register_function compares
// without case, the shebang with it.
func flagByName(name string, fold bool) (Flags, bool) {
	for _, fn := range flagNames {
		if name == fn.name || fold && strings.EqualFold(name, fn.name) {
			return fn.flag, true
		}
	}
	return 0, false
}

// cString cuts b at its first NUL, as a C string formatted with %s is.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// ServerState is the server state scriptPrepareForRun checks before a
// script runs.
type ServerState struct {
	Cluster bool // cluster mode is enabled
	// Stale: a replica whose master link is down with
	// replica-serve-stale-data no.
	Stale bool
	// ReadOnlyReplica: a replica with replica-read-only yes, and the
	// caller is not our master.
	ReadOnlyReplica bool
	// DiskErrorRDB / DiskErrorAOF: writes are refused because the last
	// background save or AOF write failed (DiskErrorAOF holds strerror);
	// both are ignored for the master and AOF clients.
	DiskErrorRDB bool
	DiskErrorAOF string
	// NoGoodReplicas: min-replicas-to-write is not met.
	NoGoodReplicas bool
	// OOM: used memory was above maxmemory when the command started.
	OOM bool
}

// PrepareError is scriptPrepareForRun's refusal of a run: the error reply
// for a script with the given flags under st, or "" when it may run. ro is
// true for EVAL_RO, EVALSHA_RO and FCALL_RO.
func PrepareError(flags Flags, ro bool, st ServerState) string {
	if flags&FlagEvalCompat != 0 {
		if st.Stale {
			return ErrStale
		}
		return ""
	}
	if flags&FlagNoCluster != 0 && st.Cluster {
		return ErrNoCluster
	}
	if st.Stale && flags&FlagAllowStale == 0 {
		return ErrStaleNoFlag
	}
	if flags&FlagNoWrites == 0 {
		if st.ReadOnlyReplica {
			return ErrReadOnlyReplica
		}
		if st.DiskErrorRDB {
			return ErrMisconfRDB
		}
		if st.DiskErrorAOF != "" {
			return ErrMisconfAOF(st.DiskErrorAOF)
		}
		if ro {
			return ErrWriteFlagWithRO
		}
		if st.NoGoodReplicas {
			return ErrNoGoodReplicas
		}
	}
	if st.OOM && flags&(FlagAllowOOM|FlagNoWrites) == 0 {
		return ErrOOMNoAllowFlag
	}
	return ""
}

// runFlags computes a run's flags as scriptPrepareForRun does.
func runFlags(flags Flags, ro, eval bool) RunFlags {
	var rf RunFlags
	if eval {
		rf |= RunEvalMode
	}
	compat := flags&FlagEvalCompat != 0
	if ro || !compat && flags&FlagNoWrites != 0 {
		rf |= RunReadOnly
	}
	if !compat && flags&FlagAllowOOM != 0 {
		rf |= RunAllowOOM
	}
	if compat || flags&FlagAllowCrossSlot != 0 {
		rf |= RunAllowCrossSlot
	}
	return rf
}

// CommandFlags mirrors scriptFlagsToCmdFlags: a script that declared
// flags replaces the write, deny-oom and stale flags of EVAL/FCALL with
// the ones it declared, and drops may-replicate. The booleans are the
// command's flags before and after.
type CommandFlags struct {
	Write, DenyOOM, Stale, MayReplicate bool
}

// ApplyTo returns the command flags for a script with flags f; scripts
// without a shebang keep the command's own flags.
func (f Flags) ApplyTo(cf CommandFlags) CommandFlags {
	if f&FlagEvalCompat != 0 {
		return cf
	}
	return CommandFlags{
		Write:   f&FlagNoWrites == 0,
		DenyOOM: f&(FlagAllowOOM|FlagNoWrites) == 0,
		Stale:   f&FlagAllowStale != 0,
	}
}
