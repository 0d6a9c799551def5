package config

import "sync/atomic"

// The handle types below are what the server reads on its hot path: each is a
// typed atomic, so a Load is one atomic read with no lock, no map lookup and
// no allocation. Only this package stores into them (through Load, Set and
// the table in table.go); their zero values are never observed by users of a
// *Config built by New or Load.

// Bool holds a yes/no parameter.
type Bool struct{ v atomic.Bool }

// Load returns the current value.
func (b *Bool) Load() bool { return b.v.Load() }

// Int holds a signed integer or memory parameter. Parameters that accept a
// percentage (maxmemory-clients) hold a percentage p as -p.
type Int struct{ v atomic.Int64 }

// Load returns the current value.
func (i *Int) Load() int64 { return i.v.Load() }

// Uint holds an unsigned 64-bit memory parameter (maxmemory,
// cluster-link-sendbuf-limit).
type Uint struct{ v atomic.Uint64 }

// Load returns the current value.
func (u *Uint) Load() uint64 { return u.v.Load() }

// Enum holds an enumerated parameter as the numeric value of its Redis
// constant; the constants are declared next to the table (LogNotice,
// MaxmemoryNoEviction, AppendfsyncEverysec, ...). Multi-flag enums
// (shutdown-on-sigint) hold the OR of their flags.
type Enum struct{ v atomic.Int64 }

// Load returns the current value.
func (e *Enum) Load() int { return int(e.v.Load()) }

// String holds a string parameter. Parameters that Redis keeps as NULL when
// unset (unixsocket, requirepass, ...) load as "".
type String struct{ v atomic.Pointer[string] }

// Load returns the current value.
func (s *String) Load() string {
	if p := s.v.Load(); p != nil {
		return *p
	}
	return ""
}

func (s *String) store(v string) { s.v.Store(&v) }

// Value holds a parameter of structured type (save points, output buffer
// limits, bind addresses, ...). Load returns a value that callers must treat
// as read-only: slices in it are shared.
type Value[T any] struct{ v atomic.Pointer[T] }

// Load returns the current value.
func (v *Value[T]) Load() T {
	if p := v.v.Load(); p != nil {
		return *p
	}
	var zero T
	return zero
}

func (v *Value[T]) store(x T) { v.v.Store(&x) }

// SavePoint is one "save <seconds> <changes>" rule.
type SavePoint struct {
	Seconds int64
	Changes int64
}

// ClientBufferLimit is one class of client-output-buffer-limit.
type ClientBufferLimit struct {
	HardBytes   uint64
	SoftBytes   uint64
	SoftSeconds int64
}

// Client classes indexing ClientOutputBufferLimits, as Redis's
// CLIENT_TYPE_NORMAL, CLIENT_TYPE_SLAVE and CLIENT_TYPE_PUBSUB.
const (
	ClientNormal = iota
	ClientReplica
	ClientPubSub
	clientClasses
)

// OutputBufferLimits holds the three client classes' limits.
type OutputBufferLimits [clientClasses]ClientBufferLimit

// OOMScoreAdjValues holds the master, replica and background child values.
type OOMScoreAdjValues [3]int64

// ReplicaOf is the replicaof setting; Host is "" when the server is a master.
type ReplicaOf struct {
	Host string
	Port int
}
