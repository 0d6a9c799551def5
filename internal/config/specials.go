package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// The "special" parameters of config.c (createSpecialConfig): each has its
// own parser, CONFIG GET format and CONFIG REWRITE form.

// ---- dir ----

// dirKind holds the working directory as an absolute path. Redis chdir()s;
// this package only resolves and checks the directory, so two Configs can
// coexist in one process. The server opens its files relative to Dir.
type dirKind struct{ h *String }

func (k *dirKind) setDefault(*Config) {}

func (k *dirKind) parse(_ *Config, args []string, _ *loadState) (any, string) {
	if len(args) != 1 {
		return nil, "wrong number of arguments"
	}
	d := args[0]
	if d == "" {
		return nil, strerror(syscall.ENOENT)
	}
	if !filepath.IsAbs(d) {
		d = filepath.Join(k.h.Load(), d)
	}
	fi, err := os.Stat(d)
	if err != nil {
		return nil, strerror(err)
	}
	if !fi.IsDir() {
		return nil, strerror(syscall.ENOTDIR)
	}
	if real, err := filepath.EvalSymlinks(d); err == nil {
		d = real
	}
	return filepath.Clean(d), ""
}

func (k *dirKind) store(_ *Config, x any) bool {
	k.h.store(x.(string))
	return true
}

func (k *dirKind) value(*Config) any                { return k.h.Load() }
func (k *dirKind) get(_ *Config, dst []byte) []byte { return append(dst, k.h.Load()...) }
func (k *dirKind) rewrite(_ *Config, rw *rewriter, name string) {
	rw.rewriteLine(name, name+" "+repr(k.h.Load()), true)
}

// strerror renders an OS error the way C's strerror does ("No such file or
// directory"): Go's errno texts are glibc's with a lower-case first letter.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" && s[0] >= 'a' && s[0] <= 'z' {
			s = string(s[0]-'a'+'A') + s[1:]
		}
		return s
	}
	return err.Error()
}

// ---- save ----

type saveKind struct{ h *Value[[]SavePoint] }

func (k *saveKind) setDefault(*Config) {
	k.h.store([]SavePoint{{3600, 1}, {300, 100}, {60, 10000}})
}

// parse is setConfigSaveOption (config.c). While a file is read, the first
// save line replaces the defaults and later ones add to it; outside, each
// value replaces the previous.
func (k *saveKind) parse(_ *Config, args []string, ls *loadState) (any, string) {
	reset := false
	if len(args) == 1 && args[0] == "" {
		args = nil
		reset = true
	}
	if len(args)%2 != 0 {
		return nil, "Invalid save parameters"
	}
	points := make([]SavePoint, 0, len(args)/2)
	for j := 0; j < len(args); j += 2 {
		secs, ok1, _ := strtoll(args[j], 10)
		changes, ok2, _ := strtoll(args[j+1], 10)
		if !ok1 || secs < 1 || !ok2 || changes < 0 {
			return nil, "Invalid save parameters"
		}
		points = append(points, SavePoint{Seconds: secs, Changes: int64(int32(changes))})
	}
	if ls != nil && ls.readingFile && !reset {
		if ls.saveLoaded {
			points = append(slices.Clone(k.h.Load()), points...)
		}
		ls.saveLoaded = true
	}
	return points, ""
}

func (k *saveKind) store(_ *Config, x any) bool {
	k.h.store(x.([]SavePoint))
	return true
}

func (k *saveKind) value(*Config) any { return k.h.Load() }

func (k *saveKind) get(_ *Config, dst []byte) []byte {
	for i, p := range k.h.Load() {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = strconv.AppendInt(dst, p.Seconds, 10)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, p.Changes, 10)
	}
	return dst
}

func (k *saveKind) rewrite(_ *Config, rw *rewriter, name string) {
	points := k.h.Load()
	if len(points) == 0 {
		rw.rewriteLine(name, `save ""`, true)
	}
	for _, p := range points {
		rw.rewriteLine(name, "save "+strconv.FormatInt(p.Seconds, 10)+" "+strconv.FormatInt(p.Changes, 10), true)
	}
	rw.markProcessed(name)
}

// ---- client-output-buffer-limit ----

type coblKind struct{ h *Value[OutputBufferLimits] }

var defaultOutputBufferLimits = OutputBufferLimits{
	ClientNormal:  {0, 0, 0},
	ClientReplica: {256 << 20, 64 << 20, 60},
	ClientPubSub:  {32 << 20, 8 << 20, 60},
}

func (k *coblKind) setDefault(*Config) { k.h.store(defaultOutputBufferLimits) }

// parse is updateClientOutputBufferLimit (config.c).
func (k *coblKind) parse(_ *Config, args []string, _ *loadState) (any, string) {
	if len(args)%4 != 0 {
		return nil, "Wrong number of arguments in buffer limit configuration."
	}
	v := k.h.Load()
	for j := 0; j < len(args); j += 4 {
		class := -1
		switch strings.ToLower(args[j]) {
		case "normal":
			class = ClientNormal
		case "slave", "replica":
			class = ClientReplica
		case "pubsub":
			class = ClientPubSub
		}
		if class < 0 {
			return nil, "Invalid client class specified in buffer limit configuration."
		}
		hard, ok1 := memToUint(args[j+1])
		soft, ok2 := memToUint(args[j+2])
		secs, ok3, _ := strtoll(args[j+3], 10)
		secs = int64(int32(secs)) // soft_seconds is a C int
		if !ok1 || !ok2 || !ok3 || secs < 0 {
			return nil, "Error in hard, soft or soft_seconds setting in buffer limit configuration."
		}
		v[class] = ClientBufferLimit{HardBytes: hard, SoftBytes: soft, SoftSeconds: secs}
	}
	return v, ""
}

func (k *coblKind) store(_ *Config, x any) bool {
	k.h.store(x.(OutputBufferLimits))
	return true
}

func (k *coblKind) value(*Config) any { return k.h.Load() }

var clientClassNames = [clientClasses]string{"normal", "slave", "pubsub"}

func (k *coblKind) get(_ *Config, dst []byte) []byte {
	v := k.h.Load()
	for i, l := range v {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, clientClassNames[i]...)
		dst = append(dst, ' ')
		dst = strconv.AppendUint(dst, l.HardBytes, 10)
		dst = append(dst, ' ')
		dst = strconv.AppendUint(dst, l.SoftBytes, 10)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, l.SoftSeconds, 10)
	}
	return dst
}

func (k *coblKind) rewrite(_ *Config, rw *rewriter, name string) {
	v := k.h.Load()
	for i, l := range v {
		class := clientClassNames[i]
		if class == "slave" {
			class = "replica"
		}
		line := []byte(name + " " + class + " ")
		line = appendMemory(line, int64(l.HardBytes))
		line = append(line, ' ')
		line = appendMemory(line, int64(l.SoftBytes))
		line = append(line, ' ')
		line = strconv.AppendInt(line, l.SoftSeconds, 10)
		rw.rewriteLine(name, string(line), l != defaultOutputBufferLimits[i])
	}
}

// ---- oom-score-adj-values ----

type oomKind struct{ h *Value[OOMScoreAdjValues] }

var defaultOOMScoreAdjValues = OOMScoreAdjValues{0, 200, 800}

func (k *oomKind) setDefault(*Config) { k.h.store(defaultOOMScoreAdjValues) }

func (k *oomKind) parse(_ *Config, args []string, _ *loadState) (any, string) {
	if len(args) != 3 {
		return nil, "wrong number of arguments"
	}
	var v OOMScoreAdjValues
	for i, a := range args {
		n, ok, _ := strtoll(a, 10)
		if !ok || n < -2000 || n > 2000 {
			return nil, "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
		}
		v[i] = n
	}
	return v, ""
}

func (k *oomKind) store(_ *Config, x any) bool {
	v := x.(OOMScoreAdjValues)
	changed := k.h.Load() != v
	k.h.store(v)
	return changed
}

func (k *oomKind) value(*Config) any { return k.h.Load() }

func (k *oomKind) get(_ *Config, dst []byte) []byte {
	for i, n := range k.h.Load() {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = strconv.AppendInt(dst, n, 10)
	}
	return dst
}

func (k *oomKind) rewrite(c *Config, rw *rewriter, name string) {
	line := k.get(c, []byte(name+" "))
	rw.rewriteLine(name, string(line), k.h.Load() != defaultOOMScoreAdjValues)
}

// ---- notify-keyspace-events ----

// Keyspace notification classes, the NOTIFY_* flags of server.h.
const (
	NotifyKeyspace = 1 << 0  // K
	NotifyKeyevent = 1 << 1  // E
	NotifyGeneric  = 1 << 2  // g
	NotifyString   = 1 << 3  // $
	NotifyList     = 1 << 4  // l
	NotifySet      = 1 << 5  // s
	NotifyHash     = 1 << 6  // h
	NotifyZset     = 1 << 7  // z
	NotifyExpired  = 1 << 8  // x
	NotifyEvicted  = 1 << 9  // e
	NotifyStream   = 1 << 10 // t
	NotifyKeyMiss  = 1 << 11 // m (not part of A)
	NotifyLoaded   = 1 << 12 // module-only
	NotifyModule   = 1 << 13 // d
	NotifyNew      = 1 << 14 // n (not part of A)
	NotifyAll      = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash |
		NotifyZset | NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule // A
)

// ParseNotifyKeyspaceEvents is keyspaceEventsStringToFlags (notify.c).
func ParseNotifyKeyspaceEvents(classes string) (int, bool) {
	flags := 0
	for i := 0; i < len(classes); i++ {
		switch classes[i] {
		case 'A':
			flags |= NotifyAll
		case 'g':
			flags |= NotifyGeneric
		case '$':
			flags |= NotifyString
		case 'l':
			flags |= NotifyList
		case 's':
			flags |= NotifySet
		case 'h':
			flags |= NotifyHash
		case 'z':
			flags |= NotifyZset
		case 'x':
			flags |= NotifyExpired
		case 'e':
			flags |= NotifyEvicted
		case 'K':
			flags |= NotifyKeyspace
		case 'E':
			flags |= NotifyKeyevent
		case 't':
			flags |= NotifyStream
		case 'm':
			flags |= NotifyKeyMiss
		case 'd':
			flags |= NotifyModule
		case 'n':
			flags |= NotifyNew
		case 0:
			return flags, true // C string end
		default:
			return 0, false
		}
	}
	return flags, true
}

// AppendNotifyKeyspaceEvents is keyspaceEventsFlagsToString (notify.c).
func AppendNotifyKeyspaceEvents(dst []byte, flags int) []byte {
	if flags&NotifyAll == NotifyAll {
		dst = append(dst, 'A')
	} else {
		for _, f := range [...]struct {
			bit int
			c   byte
		}{
			{NotifyGeneric, 'g'}, {NotifyString, '$'}, {NotifyList, 'l'}, {NotifySet, 's'},
			{NotifyHash, 'h'}, {NotifyZset, 'z'}, {NotifyExpired, 'x'}, {NotifyEvicted, 'e'},
			{NotifyStream, 't'}, {NotifyModule, 'd'}, {NotifyNew, 'n'},
		} {
			if flags&f.bit != 0 {
				dst = append(dst, f.c)
			}
		}
	}
	if flags&NotifyKeyspace != 0 {
		dst = append(dst, 'K')
	}
	if flags&NotifyKeyevent != 0 {
		dst = append(dst, 'E')
	}
	if flags&NotifyKeyMiss != 0 {
		dst = append(dst, 'm')
	}
	return dst
}

type notifyKind struct{ h *Int }

func (k *notifyKind) setDefault(*Config) { k.h.v.Store(0) }

func (k *notifyKind) parse(_ *Config, args []string, _ *loadState) (any, string) {
	if len(args) != 1 {
		return nil, "wrong number of arguments"
	}
	flags, ok := ParseNotifyKeyspaceEvents(args[0])
	if !ok {
		return nil, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
	}
	return int64(flags), ""
}

func (k *notifyKind) store(_ *Config, x any) bool {
	k.h.v.Store(x.(int64))
	return true
}

func (k *notifyKind) value(*Config) any { return k.h.Load() }

func (k *notifyKind) get(_ *Config, dst []byte) []byte {
	return AppendNotifyKeyspaceEvents(dst, int(k.h.Load()))
}

func (k *notifyKind) rewrite(_ *Config, rw *rewriter, name string) {
	flags := int(k.h.Load())
	line := appendRepr([]byte(name+" "), string(AppendNotifyKeyspaceEvents(nil, flags)))
	rw.rewriteLine(name, string(line), flags != 0)
}

// ---- bind ----

type bindKind struct{ h *Value[[]string] }

var defaultBind = []string{"*", "-::*"}

func (k *bindKind) setDefault(*Config) { k.h.store(slices.Clone(defaultBind)) }

func (k *bindKind) parse(_ *Config, args []string, _ *loadState) (any, string) {
	if len(args) > 16 {
		return nil, "Too many bind addresses specified."
	}
	if len(args) == 1 && args[0] == "" {
		args = nil
	}
	return slices.Clone(args), ""
}

func (k *bindKind) store(_ *Config, x any) bool {
	k.h.store(x.([]string))
	return true
}

func (k *bindKind) value(*Config) any { return k.h.Load() }

func (k *bindKind) get(_ *Config, dst []byte) []byte {
	return append(dst, strings.Join(k.h.Load(), " ")...)
}

func (k *bindKind) rewrite(_ *Config, rw *rewriter, name string) {
	addrs := k.h.Load()
	if slices.Equal(addrs, defaultBind) {
		rw.markProcessed(name)
		return
	}
	joined := strings.Join(addrs, " ")
	if len(addrs) == 0 {
		joined = `""`
	}
	rw.rewriteLine(name, name+" "+joined, true)
}

// ---- replicaof ----

type replicaofKind struct{ h *Value[ReplicaOf] }

func (k *replicaofKind) setDefault(*Config) { k.h.store(ReplicaOf{}) }

func (k *replicaofKind) parse(_ *Config, args []string, _ *loadState) (any, string) {
	if len(args) != 2 {
		return nil, "wrong number of arguments"
	}
	if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
		return ReplicaOf{}, ""
	}
	port, complete, overflow := strtoll(args[1], 10)
	if !complete || overflow || port < 0 || port > 65535 {
		return nil, "Invalid master port"
	}
	return ReplicaOf{Host: args[0], Port: int(port)}, ""
}

func (k *replicaofKind) store(_ *Config, x any) bool {
	k.h.store(x.(ReplicaOf))
	return true
}

func (k *replicaofKind) value(*Config) any { return k.h.Load() }

func (k *replicaofKind) get(_ *Config, dst []byte) []byte {
	r := k.h.Load()
	if r.Host == "" {
		return dst
	}
	return strconv.AppendInt(append(append(dst, r.Host...), ' '), int64(r.Port), 10)
}

func (k *replicaofKind) rewrite(c *Config, rw *rewriter, name string) {
	r := k.h.Load()
	if c.ClusterEnabled.Load() || r.Host == "" {
		rw.markProcessed(name)
		return
	}
	rw.rewriteLine(name, name+" "+r.Host+" "+strconv.Itoa(r.Port), true)
}

// ---- latency-tracking-info-percentiles ----

type percentilesKind struct{ h *Value[[]float64] }

func (k *percentilesKind) setDefault(*Config) { k.h.store([]float64{50, 99, 99.9}) }

func (k *percentilesKind) parse(_ *Config, args []string, _ *loadState) (any, string) {
	if len(args) == 1 && args[0] == "" {
		args = nil
	}
	v := make([]float64, 0, len(args))
	for _, a := range args {
		f, ok := string2d(a)
		if !ok {
			return nil, "Invalid latency-tracking-info-percentiles parameters"
		}
		if f > 100 || f < 0 {
			return nil, "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
		}
		v = append(v, f)
	}
	return v, ""
}

func (k *percentilesKind) store(_ *Config, x any) bool {
	k.h.store(x.([]float64))
	return true
}

func (k *percentilesKind) value(*Config) any { return k.h.Load() }

func (k *percentilesKind) get(_ *Config, dst []byte) []byte {
	for i, f := range k.h.Load() {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = formatPercentile(dst, f)
	}
	return dst
}

func (k *percentilesKind) rewrite(_ *Config, rw *rewriter, name string) {
	v := k.h.Load()
	line := []byte(name)
	if len(v) == 0 {
		line = append(line, ` ""`...)
	}
	for _, f := range v {
		line = formatPercentile(append(line, ' '), f)
	}
	rw.rewriteLine(name, string(line), true)
}
