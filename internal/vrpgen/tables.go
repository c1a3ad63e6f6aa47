package vrpgen

// weighted is a distribution over small integers: value i+base has weight
// w[i].
type weighted struct {
	base int
	w    []int
	sum  int
}

func newWeighted(base int, w ...int) *weighted {
	d := &weighted{base: base, w: w}
	for _, x := range w {
		d.sum += x
	}
	return d
}

// draw returns a value with probability proportional to its weight.
func (d *weighted) draw(r *rng) int {
	x := r.intn(d.sum)
	for i, w := range d.w {
		if x < w {
			return d.base + i
		}
		x -= w
	}
	return d.base + len(d.w) - 1
}

// The tables below are the shape of a production-like 600k-VRP set (the
// project's former stored data set, itself modelled on the 2026 RPKI).

// lengthsV4 are IPv4 prefix lengths /12 to /32.
var lengthsV4 = newWeighted(12,
	316, 419, 858, 1248, 6799, 5207, 7896, 12806, 21287, 24914, 64783, 48771, 250267,
	826, 786, 608, 616, 424, 373, 0, 796)

// lengthsV6 are IPv6 prefix lengths /19 to /64.
var lengthsV6 = newWeighted(19,
	27, 68, 0, 98, 0, 142, 0, 359, 0, 498, 4603, 220, 241, 19783, 2428, 1374, 925, 5497, 0, 1086,
	0, 9238, 0, 1216, 0, 10557, 1404, 5003, 4485, 75458, 0, 0, 0, 826, 0, 0, 0, 3001, 0, 0,
	0, 425, 0, 0, 0, 1038)

// maxLenV4 and maxLenV6 are maxLength minus prefix length.
var (
	maxLenV4 = newWeighted(0, 408401, 10451, 12097, 4726, 3998, 2509, 1594, 1058, 1371, 257, 192, 79, 51)
	maxLenV6 = newWeighted(0, 134217, 1243, 1132, 549, 1989, 169, 381, 155, 1625, 117, 288, 131, 972,
		258, 271, 488, 3972, 50, 46, 915, 92, 2, 57, 4, 25)
)

// countBuckets gives the number of VRPs of one origin AS: bucket k holds
// counts 2^k to 2^(k+1)-1, weighted by how many ASes have such a count.
var countBuckets = newWeighted(0, 2222, 10234, 19666, 11188, 4017, 1543, 587, 187, 79, 41, 24, 5, 3)

// A trustAnchor is an RIR: its share of origin ASes, and its address space
// (IPv4 first octets, IPv6 first 16 bits).
type trustAnchor struct {
	name   string
	weight int
	v4     []byte
	v6     [2]uint16 // first and last /16
}

var trustAnchors = []trustAnchor{
	{"ripe", 356, octets(2, 5, 25, 31, 37, 46, 51, 62, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91,
		92, 93, 94, 95, 109, 141, 145, 151, 176, 178, 185, 188, 193, 194, 195, 212, 213, 217), [2]uint16{0x2a00, 0x2aff}},
	{"arin", 249, octets(3, 4, 6, 7, 8, 9, 12, 13, 15, 16, 17, 18, 19, 20, 23, 24, 32, 34, 35, 38, 40, 44, 45, 47,
		50, 52, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 96, 97, 98, 99, 104, 107, 108, 129, 130,
		131, 132, 134, 135, 136, 137, 138, 139, 140, 142, 143, 144, 146, 147, 148, 149, 152, 155, 156, 157, 158,
		159, 160, 161, 162, 164, 165, 166, 167, 168, 169, 170, 172, 173, 174, 184, 192, 198, 199, 204, 205, 206,
		207, 208, 209, 216), [2]uint16{0x2600, 0x26ff}},
	{"apnic", 243, octets(1, 14, 27, 36, 39, 42, 43, 49, 58, 59, 60, 61, 101, 103, 106, 110, 111, 112, 113, 114,
		115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 133, 150, 153, 163, 171, 175, 180, 182, 183,
		202, 203, 210, 211, 218, 219, 220, 221, 222, 223), [2]uint16{0x2400, 0x24ff}},
	{"lacnic", 120, octets(177, 179, 181, 186, 187, 189, 190, 191, 200, 201), [2]uint16{0x2800, 0x28ff}},
	{"afrinic", 32, octets(41, 102, 105, 154, 196, 197), [2]uint16{0x2c00, 0x2c0f}},
}

func octets(b ...byte) []byte { return b }

var taWeights = func() *weighted {
	w := make([]int, len(trustAnchors))
	for i, ta := range trustAnchors {
		w[i] = ta.weight
	}
	return newWeighted(0, w...)
}()
