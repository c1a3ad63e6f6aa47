package config

import "slices"

// nearest returns the candidate closest to s by edit distance, if it is
// near enough to be a typo of it: at most half of s's length (a one-letter
// slip in "refesh", a swap in "max_versoin"), so that an unrelated word is
// not "corrected". Ties go to the first in sorted order, for stable output.
func nearest(s string, candidates []string) (string, bool) {
	best, bestDist := "", -1
	for _, c := range sorted(candidates) {
		if d := levenshtein(s, c); bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best, bestDist >= 0 && bestDist <= max(1, len([]rune(s))/2)
}

// levenshtein is the number of one-character insertions, deletions and
// substitutions that turn a into b (two rows of the classic table).
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
