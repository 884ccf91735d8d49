package scenario

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// fold reduces a name to what a reader would call the same name: case folded, accents
// dropped (Cártel and cartel, Michoacán and MICHOACAN), runs of spaces, '_' and '-' one
// space, and leading and trailing ones trimmed.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	if out, _, err := transform.String(t, s); err == nil {
		s = out
	}
	s = strings.ToLower(s)
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '_' || r == '-' }), " ")
}

// EditDistance is the optimal string alignment distance between a and b, by rune:
// insertions, deletions, substitutions and transpositions of neighbours cost 1 each
// ("sede" is 1 from "seed").
func EditDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	// d[i][j] is the distance between x[:i] and y[:j]; three rows suffice.
	prev2 := make([]int, len(y)+1)
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}

// closeEnough is the largest edit distance at which a word of n runes is taken for a
// misspelling: 1 up to 7 runes, 2 up to 11, and at most a third of the word beyond.
func closeEnough(n int) int { return max(1, n/4, n/3-1) }

// Nearest returns the candidate closest to word (case and accents aside), if one is
// close enough to be a misspelling of it; ties go to the earliest candidate.
func Nearest(word string, candidates []string) (string, bool) {
	w := Fold(word)
	best, bestD := "", -1
	for _, c := range candidates {
		if d := EditDistance(w, Fold(c)); bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD < 0 || bestD > closeEnough(len([]rune(w))) {
		return "", false
	}
	return best, true
}

// didYouMean is " (did you mean X?)" for the candidate nearest word, or "".
func didYouMean(word string, candidates []string) string {
	if c, ok := Nearest(word, candidates); ok {
		return " (did you mean " + c + "?)"
	}
	return ""
}

// Plural is "1 replicate", "2 replicates".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
