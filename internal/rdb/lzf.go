package rdb

import "errors"

var errLZF = errors.New("malformed LZF data")

// lzfDecompress expands LZF-compressed src (the format of Redis's lzf_d.c)
// into exactly n bytes appended to dst.
//
// Each run starts with a control byte c: c < 32 is a literal run of c+1
// bytes; otherwise the run copies length bytes from offset back in the
// output, where length = c>>5 (7 means "add the next byte") plus 2, and
// offset = (c&31)<<8 + next byte + 1.
func lzfDecompress(dst, src []byte, n int) ([]byte, error) {
	base := len(dst)
	want := base + n
	if cap(dst) < want {
		nd := make([]byte, len(dst), want)
		copy(nd, dst)
		dst = nd
	}
	i := 0
	for i < len(src) {
		c := int(src[i])
		i++
		if c < 32 {
			l := c + 1
			if i+l > len(src) || len(dst)+l > want {
				return nil, errLZF
			}
			dst = append(dst, src[i:i+l]...)
			i += l
			continue
		}
		l := c >> 5
		if l == 7 {
			if i >= len(src) {
				return nil, errLZF
			}
			l += int(src[i])
			i++
		}
		if i >= len(src) {
			return nil, errLZF
		}
		ref := len(dst) - (c&31)<<8 - int(src[i]) - 1
		i++
		l += 2
		if ref < base || len(dst)+l > want {
			return nil, errLZF
		}
		for k := 0; k < l; k++ {
			dst = append(dst, dst[ref+k])
		}
	}
	if len(dst) != want {
		return nil, errLZF
	}
	return dst, nil
}
