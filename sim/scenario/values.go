package scenario

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// WeekRef is a point in time written either as a week number or as a date.
type WeekRef struct {
	week int
	date time.Time
	line int
	raw  string
}

func (w *WeekRef) UnmarshalYAML(n *yaml.Node) error {
	w.line, w.raw = n.Line, n.Value
	if n.Kind != yaml.ScalarNode {
		return valueErrorf(n, "want a week number or a date (YYYY-MM-DD), got %s", kindName(n))
	}
	k, err := strconv.Atoi(n.Value)
	if err == nil {
		if err := leadingZero(n); err != nil {
			return err
		}
		w.week = k
		return nil
	}
	if errors.Is(err, strconv.ErrRange) {
		return valueErrorf(n, "week %s is out of range (a run has at most %d weeks)", n.Value, MaxWeeks)
	}
	d, err := time.Parse(time.DateOnly, n.Value)
	if err != nil {
		return valueErrorf(n, "%q is neither a week number nor a date (YYYY-MM-DD)", n.Value)
	}
	w.date = d
	return nil
}

// describe names a resolved point in time as the file wrote it, with its week if that was
// a date: "week 20", "2030-01-06 (week 208)".
func (w *WeekRef) describe(week int) string {
	if w.date.IsZero() {
		return fmt.Sprintf("week %d", week)
	}
	return fmt.Sprintf("%s (week %d)", w.raw, week)
}

// valueError is a problem with one value the decoder met, located by its line and column
// so that ParseScenario can name its key even in a flow mapping ({a: 1, b: x}).
type valueError struct {
	line, column int
	msg          string
}

func (e *valueError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func valueErrorf(n *yaml.Node, format string, args ...any) error {
	return &valueError{line: n.Line, column: n.Column, msg: fmt.Sprintf(format, args...)}
}

// kindName describes a node as an error message quotes it: its kind, or a scalar's text.
func kindName(n *yaml.Node) string {
	if isNull(n) {
		return "null (~)"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return strconv.Quote(n.Value)
}

// RealValue is a real number a file gives. It must be finite (.nan, .inf and 1e999 are
// refused where they are written) and is never -0: -0.0 is 0.
type RealValue float64

func (x *RealValue) UnmarshalYAML(n *yaml.Node) error {
	v, err := decodeNumber(n)
	*x = RealValue(v)
	return err
}

func decodeNumber(n *yaml.Node) (float64, error) {
	var v float64
	switch {
	case n.Kind != yaml.ScalarNode || isNull(n): // the decoder would read null as 0
		return 0, wrongType(n, "a number")
	case n.ShortTag() == "!!str" && n.Style == 0:
		// yaml.v3 leaves a number too large for a float64 (1e999) a string.
		if _, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); errors.Is(err, strconv.ErrRange) {
			return 0, valueErrorf(n, "%s is not a finite number", n.Value)
		}
	}
	if err := leadingZero(n); err != nil {
		return 0, err
	}
	if err := n.Decode(&v); err != nil {
		return 0, wrongType(n, "a number")
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, valueErrorf(n, "%s is not a finite number", n.Value)
	}
	if v == 0 {
		v = 0 // -0.0 is 0
	}
	return v, nil
}

// wrongType says what n should have been (want: "a number") and what it is.
func wrongType(n *yaml.Node, want string) error {
	return valueErrorf(n, "want %s, got %s", want, kindName(n))
}

// leadingZero refuses a plain number written with a leading zero (052, -007): YAML 1.1,
// which the decoder follows, reads 052 as the octal number 42, and a reader as 52.
func leadingZero(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Style != 0 || !leadingZeros.MatchString(n.Value) {
		return nil
	}
	sign, digits := "", n.Value
	if digits[0] == '-' || digits[0] == '+' {
		sign, digits = digits[:1], digits[1:]
	}
	decimal := strings.TrimLeft(digits, "0_")
	if decimal == "" || decimal[0] < '0' || decimal[0] > '9' {
		decimal = "0" + decimal
	}
	if sign == "-" {
		decimal = "-" + decimal
	}
	how := "YAML 1.1 marks octal numbers with it"
	if v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 8, 64); err == nil {
		how = fmt.Sprintf("YAML 1.1 reads it as octal, %d", v)
	}
	return valueErrorf(n, "%s has a leading zero, and %s: write %s for the decimal number", n.Value, how, decimal)
}

var leadingZeros = regexp.MustCompile(`^[-+]?0[0-9_]`)

// WholeValue is an integer a file gives, written as one: 1.5, 1e3 and .nan are refused (yaml.v3
// would truncate them into an int). One too large for an int saturates, and raw keeps
// the text for the range checks' messages.
type WholeValue struct {
	n   int
	raw string
}

func (w *WholeValue) UnmarshalYAML(n *yaml.Node) error {
	i, err := decodeInteger(n)
	if err != nil {
		return err
	}
	w.raw = n.Value
	switch {
	case i.IsInt64() && int64(int(i.Int64())) == i.Int64():
		w.n = int(i.Int64())
	case i.Sign() > 0:
		w.n = math.MaxInt
	default:
		w.n = math.MinInt
	}
	return nil
}

// String is the number as the file wrote it.
func (w WholeValue) String() string {
	if w.raw == "" {
		return strconv.Itoa(w.n)
	}
	return w.raw
}

// SeedValue is a master seed: a whole number from 0 to 2^64-1.
type SeedValue uint64

func (s *SeedValue) UnmarshalYAML(n *yaml.Node) error {
	i, err := decodeInteger(n)
	if err != nil {
		return err
	}
	if i.Sign() < 0 || !i.IsUint64() {
		return valueErrorf(n, "%s is out of range (0 to %d)", n.Value, uint64(math.MaxUint64))
	}
	*s = SeedValue(i.Uint64())
	return nil
}

// decodeInteger reads a scalar written as an integer (104, 0x68, 1_000), of any size:
// yaml.v3 resolves one beyond 64 bits as a float, which this tells from 1.5 or 1e3.
func decodeInteger(n *yaml.Node) (*big.Int, error) {
	if n.Kind != yaml.ScalarNode {
		return nil, wrongType(n, "a whole number")
	}
	if err := leadingZero(n); err != nil {
		return nil, err
	}
	tag := n.ShortTag()
	if tag == "!!int" {
		var i int64
		if n.Decode(&i) == nil {
			return big.NewInt(i), nil
		}
		var u uint64
		if n.Decode(&u) == nil {
			return new(big.Int).SetUint64(u), nil
		}
	}
	if tag == "!!int" || tag == "!!float" {
		if i, ok := new(big.Int).SetString(n.Value, 0); ok {
			return i, nil
		}
		if tag == "!!float" {
			return nil, valueErrorf(n, "want a whole number, got %s", n.Value)
		}
	}
	return nil, wrongType(n, "a whole number")
}
