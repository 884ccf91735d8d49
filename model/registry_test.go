package model

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// The registry covers every field of every section, once, and each entry is usable by an
// experiment: a status of the three, a source, a unit and a description, and a plausible
// range that is finite, inside the validity range and around the default.
func TestRegistry(t *testing.T) {
	if err := checkRegistry(Registry(), registryMeta); err != "" {
		t.Fatal(err)
	}
}

// checkRegistry returns the first problem of a registry and its metadata, or "".
func checkRegistry(reg []ParamInfo, meta []paramMeta) string {
	fields := make(map[string]bool)
	for _, s := range Sections {
		for _, f := range sectionFields(s) {
			fields[s+"."+f.name] = true
		}
	}
	seen := make(map[string]bool)
	for _, m := range meta {
		id := m.section + "." + m.key
		switch {
		case seen[id]:
			return id + ": two entries in the registry"
		case !fields[id]:
			return id + ": in the registry, but no section has that key"
		}
		seen[id] = true
	}
	if len(reg) != len(fields) {
		return "the registry has " + itoa(len(reg)) + " entries for " + itoa(len(fields)) + " fields"
	}
	for _, p := range reg {
		id := p.Section + "." + p.Key
		finite := !math.IsInf(p.Low, 0) && !math.IsInf(p.High, 0) && !math.IsNaN(p.Low) && !math.IsNaN(p.High)
		switch {
		case !seen[id]:
			return id + ": a field without an entry in the registry"
		case p.Status != Sourced && p.Status != Calibrated && p.Status != Assumed:
			return id + ": status " + string(p.Status) + ", want sourced, calibrated or assumed"
		case p.Source == "" || p.Unit == "" || p.Description == "":
			return id + ": no source, unit or description"
		case strings.Contains(strings.ToUpper(p.Source+p.Description), "DESIGN.MD"):
			return id + ": the source cites the project's planning"
		case strings.ContainsAny(p.Source+p.Description+p.Unit, "|\n"):
			return id + ": a | or a line break would break the documentation's tables"
		case !finite || !(p.Low <= p.High):
			return id + ": plausible range " + formatG(p.Low) + " to " + formatG(p.High) + " is not a finite interval"
		case !(p.Min <= p.Low && p.High <= p.Max):
			return id + ": plausible range " + formatG(p.Low) + " to " + formatG(p.High) + " is outside the validity range " + formatG(p.Min) + " to " + formatG(p.Max)
		case !(p.Low <= p.Default && p.Default <= p.High):
			return id + ": plausible range " + formatG(p.Low) + " to " + formatG(p.High) + " does not contain the default " + formatG(p.Default)
		}
	}
	return ""
}

func itoa(n int) string { return formatG(float64(n)) }

// The checks catch each kind of drift: a field without an entry, an entry without a
// field, a status outside the three, a plausible range outside the validity range or
// not containing the default, and an infinite one.
func TestRegistryCheckCatchesDrift(t *testing.T) {
	breakEntry := func(key string, f func(m *paramMeta)) []paramMeta {
		meta := append([]paramMeta(nil), registryMeta...)
		for i := range meta {
			if meta[i].key == key {
				f(&meta[i])
			}
		}
		return meta
	}
	for _, c := range []struct {
		name string
		meta []paramMeta
		want string
	}{
		{"missing entry", registryMeta[1:], "recruitment: a field without an entry"},
		{"entry without a field", append(append([]paramMeta(nil), registryMeta...), paramMeta{section: "economy", key: "lab_colour"}), "economy.lab_colour: in the registry, but no section"},
		{"twice", append(append([]paramMeta(nil), registryMeta...), registryMeta[0]), "recruitment: two entries"},
		{"status", breakEntry("rebuild_weeks", func(m *paramMeta) { m.status = "guessed" }), "status guessed"},
		{"below the validity range", breakEntry("rebuild_weeks", func(m *paramMeta) { m.low = 0.5 }), "outside the validity range"},
		{"above the validity range", breakEntry("clarity", func(m *paramMeta) { m.high = 1.5 }), "outside the validity range"},
		{"default outside", breakEntry("rebuild_weeks", func(m *paramMeta) { m.low = 8 }), "does not contain the default 4"},
		{"infinite", breakEntry("rebuild_weeks", func(m *paramMeta) { m.high = math.Inf(1) }), "not a finite interval"},
		{"no source", breakEntry("rebuild_weeks", func(m *paramMeta) { m.source = "" }), "no source"},
	} {
		got := checkRegistry(buildRegistry(c.meta), c.meta)
		if !strings.Contains(got, c.want) {
			t.Errorf("%s: check says %q, want %q", c.name, got, c.want)
		}
	}
}

// Params' keyed fields are all its fields, each once: the registry cannot miss one.
func TestParamsKeyedFieldsComplete(t *testing.T) {
	var p Params
	fields := p.keyedFields()
	typ := reflect.TypeOf(p)
	if len(fields) != typ.NumField() {
		t.Fatalf("%d keyed fields for Params' %d fields", len(fields), typ.NumField())
	}
	seen := make(map[*float64]bool)
	for i := 0; i < typ.NumField(); i++ {
		seen[reflect.ValueOf(&p).Elem().Field(i).Addr().Interface().(*float64)] = true
	}
	for _, f := range fields {
		if !seen[f.p] {
			t.Errorf("%s points at no field of Params, or at one already keyed", f.name)
		}
		delete(seen, f.p)
	}
}

// validRange finds intervals given by hand, across zero, at the largest float64 and one
// ulp from a bound.
func TestValidRange(t *testing.T) {
	inf := math.Inf(1)
	up := math.Nextafter(7, inf)
	for _, c := range []struct {
		name   string
		accept func(float64) bool
		def    float64
		lo, hi float64
	}{
		{"closed", func(x float64) bool { return x >= -2.5 && x <= 7 }, 1, -2.5, 7},
		{"from a negative default", func(x float64) bool { return x >= -2.5 && x <= 7 }, -1e-300, -2.5, 7},
		{"half-open", func(x float64) bool { return x > 7 && x <= 1e6 }, 10, up, 1e6},
		{"non-negative", func(x float64) bool { return x >= 0 }, 3, 0, inf},
		{"up to a tiny bound", func(x float64) bool { return x >= 0 && x <= 1e-300 }, 0, 0, 1e-300},
		{"everything", func(float64) bool { return true }, 0, -inf, inf},
		{"a point", func(x float64) bool { return x == 0.3 }, 0.3, 0.3, 0.3},
	} {
		lo, hi := validRange(c.accept, c.def)
		if lo != c.lo || hi != c.hi {
			t.Errorf("%s: [%v, %v], want [%v, %v]", c.name, lo, hi, c.lo, c.hi)
		}
	}
}

// The ranges the registry finds by probing Params.Validate are those of the property
// tests' table of Params' ranges (paramFields), and probing each section's Validate stays
// within its field table's ranges and contains the default.
func TestRegistryRangesAreValidates(t *testing.T) {
	var p Params
	want := make(map[string]numField)
	for _, f := range paramFields(&p) {
		want[f.name] = f
	}
	for _, info := range Registry() {
		switch info.Section {
		case "parameters":
			w, ok := want[info.Key]
			if !ok || info.Min != w.lo || info.Max != w.hi {
				t.Errorf("parameters.%s: range [%v, %v], want [%v, %v]", info.Key, info.Min, info.Max, w.lo, w.hi)
			}
		default:
			lo, hi := probeSection(info.Section, info.Key)
			if lo < info.Min || hi > info.Max || !(lo <= info.Default && info.Default <= hi) {
				t.Errorf("%s.%s: Validate accepts [%v, %v], outside the field's range [%v, %v] or without the default %v",
					info.Section, info.Key, lo, hi, info.Min, info.Max, info.Default)
			}
		}
	}
}

// probeSection is the range a section's Validate accepts for one key, the others at their
// defaults.
func probeSection(section, key string) (lo, hi float64) {
	var accept func(float64) bool
	var def float64
	switch section {
	case "fragmentation":
		d := DefaultFragmentation()
		def = fieldValue(d.fields(), key)
		accept = func(x float64) bool { f := DefaultFragmentation(); f.Set(key, x); return f.Validate() == nil }
	case "territory":
		d := DefaultTerritory()
		def = fieldValue(d.fields(), key)
		accept = func(x float64) bool { tr := DefaultTerritory(); tr.Set(key, x); return tr.Validate() == nil }
	case "economy":
		d := DefaultEconomy()
		def = fieldValue(d.fields(), key)
		accept = func(x float64) bool { e := DefaultEconomy(); e.Set(key, x); return e.Validate() == nil }
	case "policy":
		d := DefaultPolicy()
		def = fieldValue(d.fields(), key)
		accept = func(x float64) bool { pol := DefaultPolicy(); pol.Set(key, x); return pol.Validate() == nil }
	}
	return validRange(accept, def)
}

func fieldValue(fields []numField, key string) float64 {
	for _, f := range fields {
		if f.name == key {
			return *f.p
		}
	}
	return math.NaN()
}

// A few defaults as their sources give them, read back through the registry.
func TestRegistryDefaults(t *testing.T) {
	want := map[string]float64{
		"parameters.recruitment":        2.527474e-3, // Prieto-Curiel et al. 2023
		"parameters.incapacitation":     110,
		"fragmentation.clarity":         0.5,
		"economy.rebuild_weeks":         4,
		"policy.substitution_weeks":     6,
		"policy.unenforced_truce_weeks": 70,
	}
	for _, p := range Registry() {
		if w, ok := want[p.Section+"."+p.Key]; ok {
			if p.Default != w {
				t.Errorf("%s.%s: default %v, want %v", p.Section, p.Key, p.Default, w)
			}
			delete(want, p.Section+"."+p.Key)
		}
	}
	if len(want) > 0 {
		t.Errorf("not in the registry: %v", want)
	}
}
