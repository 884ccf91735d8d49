package scenario

import (
	"fmt"
	"strings"

	"github.com/cartelsim/cartelsim/model"
)

// refs resolves the names a scenario file gives things (groups, states) to the one id
// the model knows them by. A reference may be any of an entry's forms (for a group of
// the data set: its id N10025, its name and its short name CJNG; for a state: its code
// SIN, its ISO code MX-SIN and its name), matched exactly first, then with case, accents
// and spacing aside (cjng, Cartel de Sinaloa, michoacan). A reference that fits two
// entries is an error listing them; one that fits none names the nearest.
type refs struct {
	what    string // "group", "state"
	entries []refEntry
	where   string // where the full list is, for the messages
	outside string // what an unknown one is not, for the messages
}

type refEntry struct {
	id    string   // what the model takes
	forms []string // what a file may write, the id first
}

// label is how messages show an entry: its forms, the id first.
func (e refEntry) label() string {
	if len(e.forms) == 1 {
		return e.id
	}
	seen := map[string]bool{e.id: true}
	var rest []string
	for _, f := range e.forms[1:] {
		if f != "" && !seen[f] {
			seen[f] = true
			rest = append(rest, f)
		}
	}
	if len(rest) == 0 {
		return e.id
	}
	return e.id + " (" + strings.Join(rest, ", ") + ")"
}

// groupRefs are the groups of a network: id, name and the data set's short name.
func groupRefs(net *model.Network, where string) *refs {
	r := &refs{what: "group", where: where}
	for _, g := range net.Groups {
		forms := []string{g.ID, g.Name}
		if g.ShortName != "" {
			forms = append(forms, g.ShortName)
		}
		r.entries = append(r.entries, refEntry{id: g.ID, forms: forms})
	}
	return r
}

// stateRefs are the states of a geography: code, ISO 3166-2 code and name.
func stateRefs(geo *model.Geography) *refs {
	r := &refs{what: "state", where: "cartelsim list states", outside: fmt.Sprintf(", not one of Mexico's %d states", len(geo.States))}
	for _, s := range geo.States {
		r.entries = append(r.entries, refEntry{id: s.Code, forms: []string{s.Code, "MX-" + s.Code, s.Name}})
	}
	return r
}

// resolve returns the id of the entry ref names, or an error message (without key).
func (r *refs) resolve(ref string) (string, error) {
	for _, e := range r.entries { // an id beats another entry's name
		if e.id == ref {
			return e.id, nil
		}
	}
	tiers := []func(form string) bool{
		func(form string) bool { return form == ref },
		func(form string) bool { return Fold(form) == Fold(ref) },
	}
	for _, match := range tiers {
		var found []refEntry
		for _, e := range r.entries {
			for _, f := range e.forms {
				if f != "" && match(f) {
					found = append(found, e)
					break
				}
			}
		}
		switch {
		case len(found) == 1:
			return found[0].id, nil
		case len(found) > 1:
			labels := make([]string, len(found))
			for i, e := range found {
				labels[i] = e.label()
			}
			return "", fmt.Errorf("%q could be any of %d %ss: %s; write the id of the one you mean", ref, len(found), r.what, strings.Join(labels, "; "))
		}
	}
	msg := fmt.Sprintf("unknown %s %q%s", r.what, ref, r.outside)
	if e, form, ok := r.Nearest(ref); ok {
		if form == e.id {
			msg += fmt.Sprintf(" (did you mean %s?)", e.label())
		} else {
			msg += fmt.Sprintf(" (did you mean %s, %s?)", form, e.id)
		}
	}
	return "", fmt.Errorf("%s; %s lists them all", msg, r.where)
}

// nearest finds the form closest to ref, case and accents aside: among the forms that
// hold ref as whole words if any do ("Jalisco" in "Cártel Jalisco Nueva Generación"),
// else among all; the smallest edit distance wins, ties going to the earlier entry.
func (r *refs) Nearest(ref string) (refEntry, string, bool) {
	want := Fold(ref)
	var best refEntry
	bestForm, bestD, bestHolds := "", -1, false
	for _, e := range r.entries {
		for _, f := range e.forms {
			if f == "" {
				continue
			}
			ff := Fold(f)
			holds := want != "" && strings.Contains(" "+ff+" ", " "+want+" ")
			d := EditDistance(want, ff)
			if bestD < 0 || holds && !bestHolds || holds == bestHolds && d < bestD {
				best, bestForm, bestD, bestHolds = e, f, d, holds
			}
		}
	}
	return best, bestForm, bestD >= 0
}
