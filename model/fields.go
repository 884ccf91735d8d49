package model

import "math"

// numField is one numeric parameter of a section (fragmentation, economy) as scenario
// files name it, with its valid range.
type numField struct {
	name   string
	p      *float64
	lo, hi float64
}

func fieldNames(fields []numField) []string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	return names
}

// setField sets the field with the given name, reporting whether there is one.
func setField(fields []numField, name string, v float64) bool {
	for _, f := range fields {
		if f.name == name {
			*f.p = v
			return true
		}
	}
	return false
}

// validateFields checks every field's range, naming the section in the message.
func validateFields(section string, fields []numField) error {
	for _, f := range fields {
		x := *f.p
		if !(x >= f.lo && x <= f.hi) || math.IsInf(x, 0) {
			want := "a finite number of at least " + formatG(f.lo)
			if !math.IsInf(f.hi, 1) {
				want = "a number in [" + formatG(f.lo) + ", " + formatG(f.hi) + "]"
			}
			return fieldErrorf(f.name, "%s %s is %v, want %s", section, f.name, x, want)
		}
	}
	return nil
}
