package script

import "sync"

// lrand48 is the 48-bit linear congruential generator behind Redis's
// redisLrand48/redisSrand48 (src/rand.c), which math.random uses so that
// scripts produce the same sequence on every platform.
//
// As in Redis the state is shared by every script of a server (EVAL and
// FCALL alike) and is never reseeded by the server: only
// math.randomseed changes it.
type lrand48 struct {
	mu sync.Mutex
	x  uint64 // guarded by mu; 48 significant bits
}

const (
	lrandMul  = 0x5DEECE66D
	lrandAdd  = 0xB
	lrandMask = 1<<48 - 1
	lrandInit = 0x1234ABCD330E // X2, X1, X0 of rand.c
	// lrandMax is REDIS_LRAND48_MAX (INT32_MAX).
	lrandMax = 1<<31 - 1
)

func newLrand48() *lrand48 { return &lrand48{x: lrandInit} }

// next returns the next value in [0, 2^31).
func (r *lrand48) next() int32 {
	r.mu.Lock()
	r.x = (r.x*lrandMul + lrandAdd) & lrandMask
	v := int32(r.x >> 17)
	r.mu.Unlock()
	return v
}

// seed is redisSrand48: the high 32 bits of the state come from the seed,
// the low 16 are the fixed 0x330E.
func (r *lrand48) seed(s int32) {
	r.mu.Lock()
	r.x = uint64(uint32(s))<<16 | 0x330E
	r.mu.Unlock()
}
