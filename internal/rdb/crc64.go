package rdb

// crcTable is the reflected table of the Jones polynomial
// (0xad93d23594c935a9, reflected 0x95ac9329ac4bc9b5) that Redis's crc64.c
// uses: initial value 0, input and output reflected, no final xor.
var crcTable = makeCRCTable()

func makeCRCTable() *[256]uint64 {
	const poly = 0x95ac9329ac4bc9b5
	var t [256]uint64
	for i := range t {
		c := uint64(i)
		for range 8 {
			if c&1 == 1 {
				c = c>>1 ^ poly
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return &t
}

// CRC64 continues crc (0 to start) over p, as Redis's crc64(crc, p, len).
func CRC64(crc uint64, p []byte) uint64 {
	t := crcTable
	for _, b := range p {
		crc = t[byte(crc)^b] ^ crc>>8
	}
	return crc
}
