package command

import (
	"math"
	"slices"
	"strconv"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/types/zset"
)

// GEO commands (Redis's geo.c, geohash.c, geohash_helper.c). A GEO value is
// a sorted set whose scores are 52-bit geohashes: the latitude and
// longitude offsets, 26 bits each, interleaved (latitude on the even bits).
func geoCommands() []*Spec {
	return []*Spec{
		{Name: "geoadd", Handler: geoaddCommand},
		{Name: "geopos", Handler: geoposCommand},
		{Name: "geodist", Handler: geodistCommand},
		{Name: "geohash", Handler: geohashCommand},
		{Name: "geosearch", Handler: geosearchCommand},
		{Name: "geosearchstore", Handler: geosearchstoreCommand},
		{Name: "georadius", Handler: georadiusCommand},
		{Name: "georadius_ro", Handler: georadiusroCommand},
		{Name: "georadiusbymember", Handler: georadiusbymemberCommand},
		{Name: "georadiusbymember_ro", Handler: georadiusbymemberroCommand},
	}
}

// Limits of the encodable area (EPSG:900913) and the constants of
// geohash.h / geohash_helper.c.
const (
	geoStepMax   = 26
	geoLatMin    = -85.05112878
	geoLatMax    = 85.05112878
	geoLongMin   = -180.0
	geoLongMax   = 180.0
	earthRadiusM = 6372797.560856
	mercatorMax  = 20037726.37
	degToRad     = math.Pi / 180.0
)

// geoHashBits is GeoHashBits: step*2 significant bits.
type geoHashBits struct {
	bits uint64
	step uint
}

func (h geoHashBits) isZero() bool { return h.bits == 0 && h.step == 0 }

type geoRange struct{ min, max float64 }

type geoArea struct{ lon, lat geoRange }

var (
	geoLongRange = geoRange{geoLongMin, geoLongMax}
	geoLatRange  = geoRange{geoLatMin, geoLatMax}
)

// geoSpread moves the low 32 bits of v to the even bit positions.
func geoSpread(v uint64) uint64 {
	v &= 0xFFFFFFFF
	v = (v | v<<16) & 0x0000FFFF0000FFFF
	v = (v | v<<8) & 0x00FF00FF00FF00FF
	v = (v | v<<4) & 0x0F0F0F0F0F0F0F0F
	v = (v | v<<2) & 0x3333333333333333
	v = (v | v<<1) & 0x5555555555555555
	return v
}

// geoSqueeze is the inverse of geoSpread: the even bits of v, packed.
func geoSqueeze(v uint64) uint64 {
	v &= 0x5555555555555555
	v = (v | v>>1) & 0x3333333333333333
	v = (v | v>>2) & 0x0F0F0F0F0F0F0F0F
	v = (v | v>>4) & 0x00FF00FF00FF00FF
	v = (v | v>>8) & 0x0000FFFF0000FFFF
	v = (v | v>>16) & 0x00000000FFFFFFFF
	return v
}

// geoEncode is geohashEncode: ok is false outside the WGS84 limits.
func geoEncode(lonR, latR geoRange, lon, lat float64, step uint) (geoHashBits, bool) {
	if lon > geoLongMax || lon < geoLongMin || lat > geoLatMax || lat < geoLatMin {
		return geoHashBits{}, false
	}
	if lat < latR.min || lat > latR.max || lon < lonR.min || lon > lonR.max {
		return geoHashBits{}, false
	}
	latOff := float64((lat - latR.min) / (latR.max - latR.min))
	lonOff := float64((lon - lonR.min) / (lonR.max - lonR.min))
	scale := float64(uint64(1) << step)
	latOff = float64(latOff * scale)
	lonOff = float64(lonOff * scale)
	// C converts the offsets to uint32_t: truncation.
	bits := geoSpread(uint64(uint32(latOff))) | geoSpread(uint64(uint32(lonOff)))<<1
	return geoHashBits{bits: bits, step: step}, true
}

// geoDecode is geohashDecode.
func geoDecode(lonR, latR geoRange, h geoHashBits) (geoArea, bool) {
	if h.isZero() {
		return geoArea{}, false
	}
	ilat := float64(geoSqueeze(h.bits))
	ilon := float64(geoSqueeze(h.bits >> 1))
	div := float64(uint64(1) << h.step)
	latScale := latR.max - latR.min
	lonScale := lonR.max - lonR.min
	var a geoArea
	a.lat.min = latR.min + float64(float64(ilat/div)*latScale)
	a.lat.max = latR.min + float64(float64((ilat+1)/div)*latScale)
	a.lon.min = lonR.min + float64(float64(ilon/div)*lonScale)
	a.lon.max = lonR.min + float64(float64((ilon+1)/div)*lonScale)
	return a, true
}

// geoDecodeScore is decodeGeohash: the center of the 52-bit cell.
func geoDecodeScore(score float64) (lon, lat float64, ok bool) {
	a, ok := geoDecode(geoLongRange, geoLatRange, geoHashBits{bits: uint64(score), step: geoStepMax})
	if !ok {
		return 0, 0, false
	}
	lon = (a.lon.min + a.lon.max) / 2
	lon = min(max(lon, geoLongMin), geoLongMax)
	lat = (a.lat.min + a.lat.max) / 2
	lat = min(max(lat, geoLatMin), geoLatMax)
	return lon, lat, true
}

// geoAlign52 is geohashAlign52Bits.
func geoAlign52(h geoHashBits) uint64 { return h.bits << (52 - h.step*2) }

func geoMoveX(h *geoHashBits, d int) {
	if d == 0 {
		return
	}
	x := h.bits & 0xaaaaaaaaaaaaaaaa
	y := h.bits & 0x5555555555555555
	zz := uint64(0x5555555555555555) >> (64 - h.step*2)
	if d > 0 {
		x += zz + 1
	} else {
		x |= zz
		x -= zz + 1
	}
	x &= uint64(0xaaaaaaaaaaaaaaaa) >> (64 - h.step*2)
	h.bits = x | y
}

func geoMoveY(h *geoHashBits, d int) {
	if d == 0 {
		return
	}
	x := h.bits & 0xaaaaaaaaaaaaaaaa
	y := h.bits & 0x5555555555555555
	zz := uint64(0xaaaaaaaaaaaaaaaa) >> (64 - h.step*2)
	if d > 0 {
		y += zz + 1
	} else {
		y |= zz
		y -= zz + 1
	}
	y &= uint64(0x5555555555555555) >> (64 - h.step*2)
	h.bits = x | y
}

func geoNeighbor(h geoHashBits, dx, dy int) geoHashBits {
	geoMoveX(&h, dx)
	geoMoveY(&h, dy)
	return h
}

// geoShape is GeoShape: a circle (radius) or a box (width, height), in
// the request's unit; conversion turns the unit into meters.
type geoShape struct {
	box                   bool
	lon, lat              float64
	conversion            float64
	radius, width, height float64
	bounds                [4]float64 // min lon, min lat, max lon, max lat
}

// geoEstimateSteps is geohashEstimateStepsByRadius.
func geoEstimateSteps(rangeMeters, lat float64) uint {
	if rangeMeters == 0 {
		return 26
	}
	step := 1
	for rangeMeters < mercatorMax {
		rangeMeters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	step = max(1, min(step, 26))
	return uint(step)
}

// boundingBox is geohashBoundingBox.
func (s *geoShape) boundingBox() {
	height, width := s.radius, s.radius
	if s.box {
		height, width = s.height/2, s.width/2
	}
	height *= s.conversion
	width *= s.conversion
	latDelta := height / earthRadiusM / degToRad
	lonDeltaTop := width / earthRadiusM / geoCos((s.lat+latDelta)*degToRad) / degToRad
	lonDeltaBottom := width / earthRadiusM / geoCos((s.lat-latDelta)*degToRad) / degToRad
	if s.lat < 0 {
		s.bounds[0] = s.lon - lonDeltaBottom
		s.bounds[2] = s.lon + lonDeltaBottom
	} else {
		s.bounds[0] = s.lon - lonDeltaTop
		s.bounds[2] = s.lon + lonDeltaTop
	}
	s.bounds[1] = s.lat - latDelta
	s.bounds[3] = s.lat + latDelta
}

// geoAreas is geohashCalculateAreasByShapeWGS84: the center cell and its
// eight neighbours in the order membersOfAllNeighbors scans them (N, S,
// E, W, NE, NW, SE, SW), useless ones zeroed.
func (s *geoShape) areas() [9]geoHashBits {
	s.boundingBox()
	minLon, minLat, maxLon, maxLat := s.bounds[0], s.bounds[1], s.bounds[2], s.bounds[3]
	radius := s.radius
	if s.box {
		radius = math.Sqrt((s.width/2)*(s.width/2) + (s.height/2)*(s.height/2))
	}
	radius *= s.conversion
	steps := geoEstimateSteps(radius, s.lat)
	var cells [9]geoHashBits
	var area geoArea
	compute := func() {
		h, _ := geoEncode(geoLongRange, geoLatRange, s.lon, s.lat, steps)
		cells = [9]geoHashBits{h,
			geoNeighbor(h, 0, 1), geoNeighbor(h, 0, -1), geoNeighbor(h, 1, 0), geoNeighbor(h, -1, 0),
			geoNeighbor(h, 1, 1), geoNeighbor(h, -1, 1), geoNeighbor(h, 1, -1), geoNeighbor(h, -1, -1)}
		area, _ = geoDecode(geoLongRange, geoLatRange, h)
	}
	compute()
	north, _ := geoDecode(geoLongRange, geoLatRange, cells[1])
	south, _ := geoDecode(geoLongRange, geoLatRange, cells[2])
	east, _ := geoDecode(geoLongRange, geoLatRange, cells[3])
	west, _ := geoDecode(geoLongRange, geoLatRange, cells[4])
	decrease := north.lat.max < maxLat || south.lat.min > minLat ||
		east.lon.max < maxLon || west.lon.min > minLon
	if steps > 1 && decrease {
		steps--
		compute()
	}
	if steps >= 2 {
		zero := func(idx ...int) {
			for _, i := range idx {
				cells[i] = geoHashBits{}
			}
		}
		if area.lat.min < minLat {
			zero(2, 8, 7)
		}
		if area.lat.max > maxLat {
			zero(1, 5, 6)
		}
		if area.lon.min < minLon {
			zero(4, 8, 6)
		}
		if area.lon.max > maxLon {
			zero(3, 7, 5)
		}
	}
	return cells
}

// geoLatDistance is geohashGetLatDistance.
func geoLatDistance(lat1, lat2 float64) float64 {
	return earthRadiusM * math.Abs(lat2*degToRad-lat1*degToRad)
}

// geoDistance is geohashGetDistance (haversine).
func geoDistance(lon1, lat1, lon2, lat2 float64) float64 {
	lon1r := lon1 * degToRad
	lon2r := lon2 * degToRad
	v := geoSin((lon2r - lon1r) / 2)
	if v == 0 {
		return geoLatDistance(lat1, lat2)
	}
	lat1r := lat1 * degToRad
	lat2r := lat2 * degToRad
	u := geoSin((lat2r - lat1r) / 2)
	a := float64(u*u) + float64(float64(geoCos(lat1r)*geoCos(lat2r))*v)*v
	return 2.0 * earthRadiusM * geoAsin(math.Sqrt(a))
}

// within is geoWithinShape: the decoded position of score and, when it
// lies inside the shape, its distance from the center in meters.
func (s *geoShape) within(score float64) (lon, lat, dist float64, ok bool) {
	lon, lat, ok = geoDecodeScore(score)
	if !ok {
		return 0, 0, 0, false
	}
	if !s.box {
		dist = geoDistance(s.lon, s.lat, lon, lat)
		return lon, lat, dist, dist <= s.radius*s.conversion
	}
	if geoLatDistance(lat, s.lat) > s.height*s.conversion/2 {
		return 0, 0, 0, false
	}
	if geoDistance(lon, lat, s.lon, lat) > s.width*s.conversion/2 {
		return 0, 0, 0, false
	}
	return lon, lat, geoDistance(s.lon, s.lat, lon, lat), true
}

// geoPoint is one search result; the member lives in geoResults.buf.
type geoPoint struct {
	lon, lat, dist, score float64
	start, end            int
}

type geoResults struct {
	points []geoPoint
	buf    []byte
}

func (r *geoResults) member(p *geoPoint) []byte { return r.buf[p.start:p.end] }

// collect is membersOfAllNeighbors: every element of the nine cells that
// lies inside the shape, stopping at limit (0: none) results.
func (s *geoShape) collect(z *zset.ZSet, limit int) *geoResults {
	res := &geoResults{}
	cells := s.areas()
	last := -1
	for i, cell := range cells {
		if cell.isZero() {
			continue
		}
		if last >= 0 && cell == cells[last] {
			continue
		}
		if limit > 0 && len(res.points) >= limit {
			break
		}
		lo := float64(geoAlign52(cell))
		cell.bits++
		hi := float64(geoAlign52(cell))
		it := z.RangeByScore(zset.ScoreRange{Min: lo, Max: hi, MaxEx: true}, false, 0, -1)
		for m, score, ok := it.Next(); ok; m, score, ok = it.Next() {
			if lon, lat, dist, in := s.within(score); in {
				start := len(res.buf)
				res.buf = append(res.buf, m...)
				res.points = append(res.points, geoPoint{lon: lon, lat: lat, dist: dist, score: score, start: start, end: len(res.buf)})
			}
			if limit > 0 && len(res.points) >= limit {
				break
			}
		}
		last = i
	}
	return res
}

// ---------------------------------------------------------------------------
// Argument parsing and reply helpers

// geoParseDouble is getDoubleFromObjectOrReply with msg ("" for the
// default text).
func geoParseDouble(c *Ctx, b []byte, msg string) (float64, bool) {
	v, ok := parseScore(b)
	if !ok {
		if msg == "" {
			msg = ErrNotFloat
		}
		c.Error(msg)
	}
	return v, ok
}

func appendCFloat6(dst []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(dst, "inf"...)
	case math.IsInf(v, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, v, 'f', 6, 64)
}

// geoParseLonLat is extractLongLatOrReply.
func geoParseLonLat(c *Ctx, args [][]byte) (lon, lat float64, ok bool) {
	if lon, ok = geoParseDouble(c, args[0], ""); !ok {
		return 0, 0, false
	}
	if lat, ok = geoParseDouble(c, args[1], ""); !ok {
		return 0, 0, false
	}
	if lon < geoLongMin || lon > geoLongMax || lat < geoLatMin || lat > geoLatMax {
		msg := []byte("ERR invalid longitude,latitude pair ")
		msg = appendCFloat6(msg, lon)
		msg = append(msg, ',')
		msg = appendCFloat6(msg, lat)
		c.Error(string(msg))
		return 0, 0, false
	}
	return lon, lat, true
}

// geoParseUnit is extractUnitOrReply: meters per unit, or -1 after an
// error reply.
func geoParseUnit(c *Ctx, b []byte) float64 {
	switch {
	case cstrIs(b, "m"):
		return 1
	case cstrIs(b, "km"):
		return 1000
	case cstrIs(b, "ft"):
		return 0.3048
	case cstrIs(b, "mi"):
		return 1609.34
	}
	c.Error(ErrGeoUnit)
	return -1
}

// appendGeoDistance is fixedpoint_d2string(d, 4).
func appendGeoDistance(dst []byte, d float64) []byte {
	if d == 0 {
		return append(dst, "0.0000"...)
	}
	v := int64(math.RoundToEven(d * 10000))
	var u uint64
	if v < 0 {
		dst = append(dst, '-')
		u = uint64(-v)
	} else {
		u = uint64(v)
	}
	var digits [24]byte
	s := strconv.AppendUint(digits[:0], u, 10)
	for len(s) < 5 {
		s = append([]byte{'0'}, s...)
	}
	dst = append(dst, s[:len(s)-4]...)
	dst = append(dst, '.')
	return append(dst, s[len(s)-4:]...)
}

// appendHumanDouble is ld2string(LD_STR_HUMAN) of a double: "%.17Lf"
// with trailing zeros and a trailing dot removed, "-0" as "0".
func appendHumanDouble(dst []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(dst, "inf"...)
	case math.IsInf(v, -1):
		return append(dst, "-inf"...)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, v, 'f', 17, 64)
	for dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	if dst[len(dst)-1] == '.' {
		dst = dst[:len(dst)-1]
	}
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}

// geoReplyHumanDouble is addReplyHumanLongDouble: a bulk string in RESP2,
// a double in RESP3, both in the human format.
func geoReplyHumanDouble(c *Ctx, v float64) {
	var buf [64]byte
	s := appendHumanDouble(buf[:0], v)
	if c.W.Proto < 3 {
		c.W.Bulk(s)
		return
	}
	c.W.Raw([]byte{','})
	c.W.Raw(s)
	c.W.Raw([]byte("\r\n"))
}

// ---------------------------------------------------------------------------
// GEOADD, GEOPOS, GEODIST, GEOHASH

// geoaddCommand is geoaddCommand: it turns the triples into scores and
// runs ZADD with the same options (CH, NX, XX).
func geoaddCommand(c *Ctx) {
	xx, nx := false, false
	longIdx := 2
options:
	for ; longIdx < len(c.Argv); longIdx++ {
		a := c.Argv[longIdx]
		switch {
		case cstrIs(a, "nx"):
			nx = true
		case cstrIs(a, "xx"):
			xx = true
		case cstrIs(a, "ch"):
		default:
			break options
		}
	}
	if (len(c.Argv)-longIdx)%3 != 0 || (xx && nx) {
		c.Error(ErrSyntax)
		return
	}
	elements := (len(c.Argv) - longIdx) / 3
	argv := make([][]byte, 0, longIdx+elements*2)
	argv = append(argv, []byte("zadd"))
	argv = append(argv, c.Argv[1:longIdx]...)
	for i := 0; i < elements; i++ {
		t := c.Argv[longIdx+i*3:]
		lon, lat, ok := geoParseLonLat(c, t)
		if !ok {
			return
		}
		h, _ := geoEncode(geoLongRange, geoLatRange, lon, lat, geoStepMax)
		argv = append(argv, strconv.AppendUint(nil, geoAlign52(h), 10), t[2])
	}
	orig := c.Argv
	c.Argv = argv
	zaddGeneric(c, 0)
	c.Argv = orig
}

func geoposCommand(c *Ctx) {
	z, ok := zsetLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	c.W.Array(len(c.Argv) - 2)
	for _, m := range c.Argv[2:] {
		var score float64
		found := false
		if z != nil {
			score, found = z.Score(m)
		}
		if !found {
			c.W.NullArray()
			continue
		}
		lon, lat, ok := geoDecodeScore(score)
		if !ok {
			c.W.NullArray()
			continue
		}
		c.W.Array(2)
		geoReplyHumanDouble(c, lon)
		geoReplyHumanDouble(c, lat)
	}
}

func geodistCommand(c *Ctx) {
	toMeter := 1.0
	if len(c.Argv) == 5 {
		if toMeter = geoParseUnit(c, c.Argv[4]); toMeter < 0 {
			return
		}
	} else if len(c.Argv) > 5 {
		c.Error(ErrSyntax)
		return
	}
	z, ok := zsetLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	if z == nil {
		c.W.Null()
		return
	}
	s1, ok1 := z.Score(c.Argv[2])
	s2, ok2 := z.Score(c.Argv[3])
	if !ok1 || !ok2 {
		c.W.Null()
		return
	}
	lon1, lat1, ok1 := geoDecodeScore(s1)
	lon2, lat2, ok2 := geoDecodeScore(s2)
	if !ok1 || !ok2 {
		c.W.Null()
		return
	}
	var buf [32]byte
	c.W.Bulk(appendGeoDistance(buf[:0], geoDistance(lon1, lat1, lon2, lat2)/toMeter))
}

const geoAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

func geohashCommand(c *Ctx) {
	z, ok := zsetLookupRead(c, c.Argv[1])
	if !ok {
		return
	}
	c.W.Array(len(c.Argv) - 2)
	for _, m := range c.Argv[2:] {
		var score float64
		found := false
		if z != nil {
			score, found = z.Score(m)
		}
		if !found {
			c.W.Null()
			continue
		}
		lon, lat, ok := geoDecodeScore(score)
		if !ok {
			c.W.Null()
			continue
		}
		// Re-encode with the standard geohash latitude range (-90, 90).
		h, _ := geoEncode(geoRange{-180, 180}, geoRange{-90, 90}, lon, lat, 26)
		var buf [11]byte
		for i := 0; i < 10; i++ {
			buf[i] = geoAlphabet[(h.bits>>(52-(uint(i)+1)*5))&0x1f]
		}
		buf[10] = geoAlphabet[0]
		c.W.Bulk(buf[:])
	}
}

// ---------------------------------------------------------------------------
// GEOSEARCH, GEOSEARCHSTORE, GEORADIUS*

const (
	geoRadiusCoords = 1 << iota
	geoRadiusMember
	geoRadiusNoStore
	geoSearch
	geoSearchStore
)

func georadiusCommand(c *Ctx)   { georadiusGeneric(c, 1, geoRadiusCoords) }
func georadiusroCommand(c *Ctx) { georadiusGeneric(c, 1, geoRadiusCoords|geoRadiusNoStore) }
func georadiusbymemberCommand(c *Ctx) {
	georadiusGeneric(c, 1, geoRadiusMember)
}
func georadiusbymemberroCommand(c *Ctx) {
	georadiusGeneric(c, 1, geoRadiusMember|geoRadiusNoStore)
}
func geosearchCommand(c *Ctx)      { georadiusGeneric(c, 1, geoSearch) }
func geosearchstoreCommand(c *Ctx) { georadiusGeneric(c, 2, geoSearch|geoSearchStore) }

// geoParseDistance is extractDistanceOrReply.
func geoParseDistance(c *Ctx, args [][]byte, s *geoShape) bool {
	d, ok := geoParseDouble(c, args[0], ErrGeoRadiusNum)
	if !ok {
		return false
	}
	if d < 0 {
		c.Error(ErrGeoRadiusNeg)
		return false
	}
	s.radius = d
	conv := geoParseUnit(c, args[1])
	if conv < 0 {
		return false
	}
	s.conversion = conv
	return true
}

// geoParseBox is extractBoxOrReply.
func geoParseBox(c *Ctx, args [][]byte, s *geoShape) bool {
	w, ok := geoParseDouble(c, args[0], ErrGeoWidthNum)
	if !ok {
		return false
	}
	h, ok := geoParseDouble(c, args[1], ErrGeoHeightNum)
	if !ok {
		return false
	}
	if h < 0 || w < 0 {
		c.Error(ErrGeoBoxNeg)
		return false
	}
	s.width, s.height = w, h
	conv := geoParseUnit(c, args[2])
	if conv < 0 {
		return false
	}
	s.conversion = conv
	return true
}

const (
	geoSortNone = iota
	geoSortAsc
	geoSortDesc
)

// georadiusGeneric is Redis's georadiusGeneric.
func georadiusGeneric(c *Ctx, srcIdx int, flags int) {
	z, ok := zsetLookupRead(c, c.Argv[srcIdx])
	if !ok {
		return
	}
	var storeKey []byte
	storeDist := false
	var shape geoShape
	var base int
	switch {
	case flags&geoRadiusCoords != 0:
		base = 6
		if shape.lon, shape.lat, ok = geoParseLonLat(c, c.Argv[2:]); !ok {
			return
		}
		if !geoParseDistance(c, c.Argv[base-2:], &shape) {
			return
		}
	case flags&geoRadiusMember != 0 && z == nil:
		base = 5
	case flags&geoRadiusMember != 0:
		base = 5
		if !geoMemberPos(c, z, c.Argv[2], &shape) {
			return
		}
		if !geoParseDistance(c, c.Argv[base-2:], &shape) {
			return
		}
	default:
		base = 2
		if flags&geoSearchStore != 0 {
			base = 3
			storeKey = c.Argv[1]
		}
	}

	withDist, withHash, withCoords := false, false, false
	fromMember, fromLoc, byRadius, byBox := false, false, false, false
	sort := geoSortNone
	anyFlag := false
	var count int64
	args := c.Argv[base:]
	remaining := len(args)
	for i := 0; i < remaining; i++ {
		a := args[i]
		switch {
		case cstrIs(a, "withdist"):
			withDist = true
		case cstrIs(a, "withhash"):
			withHash = true
		case cstrIs(a, "withcoord"):
			withCoords = true
		case cstrIs(a, "any"):
			anyFlag = true
		case cstrIs(a, "asc"):
			sort = geoSortAsc
		case cstrIs(a, "desc"):
			sort = geoSortDesc
		case cstrIs(a, "count") && i+1 < remaining:
			n, ok := parseInt(args[i+1])
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			if n <= 0 {
				c.Error(ErrGeoCount)
				return
			}
			count = n
			i++
		case cstrIs(a, "store") && i+1 < remaining && flags&(geoRadiusNoStore|geoSearch) == 0:
			storeKey = args[i+1]
			storeDist = false
			i++
		case cstrIs(a, "storedist") && i+1 < remaining && flags&(geoRadiusNoStore|geoSearch) == 0:
			storeKey = args[i+1]
			storeDist = true
			i++
		case cstrIs(a, "storedist") && flags&geoSearch != 0 && flags&geoSearchStore != 0:
			storeDist = true
		case cstrIs(a, "frommember") && i+1 < remaining && flags&geoSearch != 0 && !fromLoc:
			if z != nil && !geoMemberPos(c, z, args[i+1], &shape) {
				return
			}
			fromMember = true
			i++
		case cstrIs(a, "fromlonlat") && i+2 < remaining && flags&geoSearch != 0 && !fromMember:
			if shape.lon, shape.lat, ok = geoParseLonLat(c, args[i+1:]); !ok {
				return
			}
			fromLoc = true
			i += 2
		case cstrIs(a, "byradius") && i+2 < remaining && flags&geoSearch != 0 && !byBox:
			if !geoParseDistance(c, args[i+1:], &shape) {
				return
			}
			shape.box = false
			byRadius = true
			i += 2
		case cstrIs(a, "bybox") && i+3 < remaining && flags&geoSearch != 0 && !byRadius:
			if !geoParseBox(c, args[i+1:], &shape) {
				return
			}
			shape.box = true
			byBox = true
			i += 3
		default:
			c.Error(ErrSyntax)
			return
		}
	}

	if storeKey != nil && (withDist || withHash || withCoords) {
		if flags&geoSearchStore != 0 {
			c.Error(ErrGeoSearchStoreWith)
		} else {
			c.Error(ErrGeoRadiusStoreWith)
		}
		return
	}
	if flags&geoSearch != 0 && !fromMember && !fromLoc {
		c.Error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + cstring(c.Argv[0]))
		return
	}
	if flags&geoSearch != 0 && !byRadius && !byBox {
		c.Error("ERR exactly one of BYRADIUS and BYBOX can be specified for " + cstring(c.Argv[0]))
		return
	}
	if anyFlag && count == 0 {
		c.Error(ErrGeoAnyCount)
		return
	}

	if z == nil {
		if storeKey != nil {
			if c.DB.Delete(storeKey) {
				c.Modified(storeKey)
				c.Notify('g', "del", storeKey)
			}
			c.W.Int(0)
		} else {
			c.W.Array(0)
		}
		return
	}

	if count != 0 && sort == geoSortNone && !anyFlag {
		sort = geoSortAsc
	}
	limit := 0
	if anyFlag {
		limit = int(min(count, math.MaxInt32))
	}
	res := shape.collect(z, limit)
	if len(res.points) == 0 && storeKey == nil {
		c.W.Array(0)
		return
	}
	returned := len(res.points)
	if count != 0 && int64(returned) > count {
		returned = int(count)
	}
	if sort != geoSortNone {
		cmp := func(x, y *geoPoint) int { return cmpFloat(x.dist, y.dist) }
		if sort == geoSortDesc {
			cmp = func(x, y *geoPoint) int { return cmpFloat(y.dist, x.dist) }
		}
		if returned == len(res.points) {
			// glibc's qsort is a merge sort: stable.
			slices.SortStableFunc(res.points, func(x, y geoPoint) int { return cmp(&x, &y) })
		} else {
			pqsort(res.points, cmp, 0, returned-1)
		}
	}

	if storeKey == nil {
		options := 0
		if withDist {
			options++
		}
		if withCoords {
			options++
		}
		if withHash {
			options++
		}
		c.W.Array(returned)
		var buf [32]byte
		for i := 0; i < returned; i++ {
			p := &res.points[i]
			p.dist /= shape.conversion
			if options > 0 {
				c.W.Array(options + 1)
			}
			c.W.Bulk(res.member(p))
			if withDist {
				c.W.Bulk(appendGeoDistance(buf[:0], p.dist))
			}
			if withHash {
				c.W.Int(int64(p.score))
			}
			if withCoords {
				c.W.Array(2)
				geoReplyHumanDouble(c, p.lon)
				geoReplyHumanDouble(c, p.lat)
			}
		}
		return
	}

	if returned > 0 {
		lim := zsetLimits(c)
		maxLen := 0
		for i := 0; i < returned; i++ {
			maxLen = max(maxLen, res.points[i].end-res.points[i].start)
		}
		dst := zset.New(lim, returned, maxLen)
		for i := 0; i < returned; i++ {
			p := &res.points[i]
			p.dist /= shape.conversion
			score := p.score
			if storeDist {
				score = p.dist
			}
			dst.Insert(res.member(p), score, lim)
		}
		dst.ConvertToListpackIfNeeded(lim)
		c.DB.SetObject(storeKey, keyspace.TypeZSet, dst, keyspace.NoExpire)
		c.Modified(storeKey)
		event := "georadiusstore"
		if flags&geoSearch != 0 {
			event = "geosearchstore"
		}
		c.Notify('z', event, storeKey)
	} else if c.DB.Delete(storeKey) {
		c.Modified(storeKey)
		c.Notify('g', "del", storeKey)
	}
	c.W.Int(int64(returned))
}

// geoMemberPos is longLatFromMember with its error reply.
func geoMemberPos(c *Ctx, z *zset.ZSet, member []byte, s *geoShape) bool {
	score, found := z.Score(member)
	if found {
		var ok bool
		if s.lon, s.lat, ok = geoDecodeScore(score); ok {
			return true
		}
	}
	c.Error(ErrGeoMember)
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a > b:
		return 1
	case a == b:
		return 0
	}
	return -1
}

// cstring is the C string view of b (up to the first NUL), as %s prints it.
func cstring(b []byte) string {
	for i, ch := range b {
		if ch == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// ---------------------------------------------------------------------------
// Correctly rounded trigonometry

// Correctly rounded sin, cos and asin for the GEO distance code. Go's math
// package is often an ulp off; glibc's libm (which redis-server uses) is
// off far less often (measured: about 0.13% of arguments for each of sin,
// cos and asin, where glibc itself is not correctly rounded). Distances are
// stored with 17 digits by STOREDIST and compared against radii, so the
// last bit matters: these evaluate in double-double arithmetic (about 106
// bits) and round once.

// geoDD is an unevaluated sum hi+lo with |lo| <= ulp(hi)/2.
type geoDD struct{ hi, lo float64 }

func geoQuickTwoSum(a, b float64) geoDD {
	s := a + b
	return geoDD{s, b - (s - a)}
}

func geoDDAdd(x, y geoDD) geoDD {
	s := x.hi + y.hi
	bb := s - x.hi
	e := (x.hi - (s - bb)) + (y.hi - bb)
	e += x.lo + y.lo
	return geoQuickTwoSum(s, e)
}

func geoDDMul(x, y geoDD) geoDD {
	p := x.hi * y.hi
	e := math.FMA(x.hi, y.hi, -p)
	e += x.hi*y.lo + x.lo*y.hi
	return geoQuickTwoSum(p, e)
}

// geoDDDiv divides x by the small exact integer f.
func geoDDDiv(x geoDD, f float64) geoDD {
	q1 := x.hi / f
	r := math.FMA(-q1, f, x.hi) + x.lo
	return geoQuickTwoSum(q1, r/f)
}

var geoTwoPi = geoDD{6.283185307179586, 2.4492935982947064e-16}

// geoReduce reduces x to about [-pi, pi] in double-double; ok is false
// when x is too large for the simple reduction.
func geoReduce(x float64) (geoDD, bool) {
	if math.Abs(x) <= 3.2 {
		return geoDD{x, 0}, true
	}
	if math.Abs(x) > 1e6 || math.IsNaN(x) {
		return geoDD{}, false
	}
	k := math.Round(x / geoTwoPi.hi)
	m := geoDDMul(geoDD{k, 0}, geoTwoPi)
	return geoDDAdd(geoDD{x, 0}, geoDD{-m.hi, -m.lo}), true
}

// geoTaylor sums the series x^start/start! - x^(start+2)/(start+2)! + ...
func geoTaylor(x geoDD, start int) geoDD {
	x2 := geoDDMul(x, x)
	term := geoDD{1, 0}
	if start == 1 {
		term = x
	}
	sum := term
	for n := start; n < start+60; n += 2 {
		term = geoDDMul(term, x2)
		term = geoDDDiv(term, float64((n+1)*(n+2)))
		term = geoDD{-term.hi, -term.lo}
		sum = geoDDAdd(sum, term)
		if math.Abs(term.hi) < 1e-36*math.Max(math.Abs(sum.hi), 1e-300) || term.hi == 0 {
			break
		}
	}
	return sum
}

func geoSin(x float64) float64 {
	r, ok := geoReduce(x)
	if !ok {
		return math.Sin(x)
	}
	if x == 0 {
		return x
	}
	return geoTaylor(r, 1).hi
}

func geoCos(x float64) float64 {
	r, ok := geoReduce(x)
	if !ok {
		return math.Cos(x)
	}
	return geoTaylor(r, 0).hi
}

// geoAsin refines math.Asin by one Newton step on sin(y) = s.
func geoAsin(s float64) float64 {
	y0 := math.Asin(s)
	if math.IsNaN(y0) || s == 0 || math.Abs(s) >= 1-1e-20 {
		return y0
	}
	d := geoDDAdd(geoTaylor(geoDD{y0, 0}, 1), geoDD{-s, 0})
	corr := d.hi / math.Cos(y0)
	return geoDDAdd(geoDD{y0, 0}, geoDD{-corr, 0}).hi
}
