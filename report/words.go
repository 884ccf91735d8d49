package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

var nan = math.NaN()

// num writes x with 4 significant digits, thousands separated by commas, as
// comparison.txt does: 123,800, 654.5, 0.0123.
func num(x float64) string {
	switch {
	case math.IsNaN(x):
		return "n/a"
	case math.IsInf(x, 0):
		return strconv.FormatFloat(x, 'f', -1, 64)
	case x == 0:
		return "0"
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 4, 64), 64)
	digits := 4 - 1 - int(math.Floor(math.Log10(math.Abs(r))))
	if digits < 0 {
		digits = 0
	}
	s := strconv.FormatFloat(r, 'f', digits, 64)
	if digits > 0 {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return groupThousands(s)
}

// groupThousands puts commas in the integer part of a formatted number.
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "−", s[1:] // a true minus sign reads better than a hyphen
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return sign + b.String()
}

// pct writes a change in percent with one decimal and its sign.
func pct(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "n/a"
	}
	s := strconv.FormatFloat(x, 'f', 1, 64)
	if s == "-0.0" || s == "0.0" {
		return "0.0%"
	}
	if x > 0 {
		s = "+" + s
	}
	return strings.Replace(s, "-", "−", 1) + "%"
}

// Verdict says in plain words what an interval [lo, hi] for a difference shows.
type Verdict int

const (
	// NoDifference: the difference is 0 in every replicate (the interval is [0, 0]).
	NoDifference Verdict = iota
	// Unclear: the interval includes zero.
	Unclear
	// Higher: the whole interval is above zero.
	Higher
	// Lower: the whole interval is below zero.
	Lower
)

// verdict classifies a difference and its interval. A NaN bound (too few replicates for
// an interval) is Unclear.
func verdict(diff, lo, hi float64) Verdict {
	switch {
	case diff == 0 && lo == 0 && hi == 0:
		return NoDifference
	case lo > 0:
		return Higher
	case hi < 0:
		return Lower
	}
	return Unclear
}

// differenceWords says what a paired difference of b against a shows, with its interval
// and the change in percent of a's mean (ref); unit is the metric's.
func differenceWords(b, a string, diff, lo, hi, ref float64, unit string) string {
	change := nan
	if ref != 0 {
		change = 100 * diff / ref
	}
	u := ""
	if unit != "" {
		u = " " + unit
	}
	interval := fmt.Sprintf("95%% interval %s to %s", num(lo), num(hi))
	clear := "clear"
	if math.Abs(change) < 1 {
		clear = "clear but small" // the interval leaves zero out; under 1% of the reference
	}
	switch verdict(diff, lo, hi) {
	case NoDifference:
		return fmt.Sprintf("%s and %s do not differ in any replicate.", b, a)
	case Higher:
		return fmt.Sprintf("%s is higher than %s by %s%s (%s; %s): a %s increase.", b, a, num(diff), u, pct(change), interval, clear)
	case Lower:
		return fmt.Sprintf("%s is lower than %s by %s%s (%s; %s): a %s decrease.", b, a, num(-diff), u, pct(change), interval, clear)
	}
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return fmt.Sprintf("%s differs from %s by %s%s (%s), with too few replicates for an interval: no clear difference.", b, a, num(diff), u, pct(change))
	}
	return fmt.Sprintf("%s differs from %s by %s%s (%s), but the %s includes zero: no clear difference.", b, a, num(diff), u, pct(change), interval)
}

// shellQuote quotes a word for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
