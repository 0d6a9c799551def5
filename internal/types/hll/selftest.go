package hll

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
)

// SelfTest is PFSELFTEST: cycles rounds of random register writes and
// reads on a dense HyperLogLog, then adds up to maxCard elements to a
// dense and a sparse HyperLogLog, checking at every power of ten that the
// sparse encoding is kept while small, that both agree, and that the
// error stays within six standard errors. rnd supplies random words.
// The error text is Redis's reply without the "TESTFAILED " prefix.
func SelfTest(rnd func() uint64, cycles int, maxCard uint64, sparseMax int) error {
	dense := make([]byte, DenseSize)
	copy(dense, "HYLL")
	regs := dense[HdrSize:]
	var want [Registers]uint8
	for range cycles {
		for i := range want {
			v := uint8(rnd() & RegisterMax)
			want[i] = v
			DenseSetRaw(regs, i, v)
		}
		for i, v := range want {
			if got := DenseGet(regs, i); got != v {
				return errors.New("Register " + strconv.Itoa(i) + " should be " +
					strconv.Itoa(int(v)) + " but is " + strconv.Itoa(int(got)))
			}
		}
	}

	clear(regs)
	sparse := New()
	relerr := 1.04 / math.Sqrt(Registers)
	checkpoint := uint64(1)
	s := rnd()
	var ele [8]byte
	for j := uint64(1); j <= maxCard; j++ {
		binary.LittleEndian.PutUint64(ele[:], j^s)
		idx, cnt := PatLen(ele[:])
		denseSet(regs, idx, cnt)
		var err error
		if sparse, _, err = Set(sparse, idx, cnt, sparseMax); err != nil {
			return err
		}
		if j != checkpoint {
			continue
		}
		if j < uint64(sparseMax/2) && sparse[4] != Sparse {
			return errors.New("sparse encoding not used")
		}
		dc, _ := Count(dense)
		sc, err := Count(sparse)
		if err != nil || dc != sc {
			return errors.New("dense/sparse disagree")
		}
		abserr := int64(checkpoint) - int64(dc)
		maxerr := uint64(math.Ceil(relerr * 6 * float64(checkpoint)))
		if j == 10 {
			maxerr = 1
		}
		if abserr < 0 {
			abserr = -abserr
		}
		if abserr > int64(maxerr) {
			return errors.New("Too big error. card:" + strconv.FormatUint(checkpoint, 10) +
				" abserr:" + strconv.FormatInt(abserr, 10))
		}
		checkpoint *= 10
	}
	return nil
}
