// TEMPORARY STUB: replaced by the spatial kernel branch
//
// This file stands in for the per-state metrics and the event log of the shared
// contract for issue 14 until the spatial kernel lands; the lead deletes it at merge.
// It follows the contract's API. Its values are plausible and deterministic but not the
// kernel's: members and groups present come from the groups' states, the flows are 0,
// and the events are read back from the lineage (a capture of the parent where a
// faction broke away, and the split), so that the sim outputs can be built and tested.

package model

import (
	"math/bits"
	"sync"
)

// StateMetric indexes the per-state weekly metrics of a world with geography.
type StateMetric int

// The per-state metrics.
const (
	StateHomicides          StateMetric = iota // flow: intentional homicides occurring in the state (INEGI definition)
	StateDeaths                                // flow: cartel members killed in conflict in the state
	StateCivilianCasualties                    // flow: civilians killed by strikes/raids in the state
	StateLabs                                  // stock at week end: working labs in the state
	StateGroupsPresent                         // stock at week end: living groups present in the state
	StateMembers                               // stock at week end: members located in the state
	NumStateMetrics
)

var stateMetricInfo = [NumStateMetrics]MetricInfo{
	StateHomicides:          {"homicides", "people per week", true},
	StateDeaths:             {"deaths", "people per week", true},
	StateCivilianCasualties: {"civilian_casualties", "people per week", true},
	StateLabs:               {"labs", "labs", false},
	StateGroupsPresent:      {"groups_present", "groups", false},
	StateMembers:            {"members", "people", false},
}

// Info describes the metric.
func (m StateMetric) Info() MetricInfo { return stateMetricInfo[m] }

// StateWeek writes the per-state values of the week last stepped into
// out[s*int(NumStateMetrics)+int(m)].
func (r *Replicate) StateWeek(out []float64) {
	g := r.w.cfg.Geography
	if g == nil {
		return
	}
	n := g.Len()
	clear(out[:n*int(NumStateMetrics)])
	for i, c := range r.c {
		if c < 1 || i >= len(r.record) || r.record[i] < 0 {
			continue
		}
		home, mask := 0, uint64(1)
		if r.territory.regions > 0 {
			home, mask = r.territory.home[i], r.territory.present[i]&(1<<n-1)
		}
		out[home*int(NumStateMetrics)+int(StateMembers)] += c
		for ; mask != 0; mask &= mask - 1 {
			out[bits.TrailingZeros64(mask)*int(NumStateMetrics)+int(StateGroupsPresent)]++
		}
	}
}

// EventKind is the kind of an event in a replicate's log.
type EventKind uint8

// The kinds of events.
const (
	EventCapture EventKind = iota
	EventKilling
	EventSplit
	EventSuccession
	EventStrike
	EventCeasefireStart
	EventCeasefireBreakdown
	NumEventKinds
)

var eventKindNames = [NumEventKinds]string{"capture", "killing", "split", "succession", "strike", "ceasefire_start", "ceasefire_breakdown"}

func (k EventKind) String() string { return eventKindNames[k] }

// Event is one entry of a replicate's event log.
type Event struct {
	Week          int
	Kind          EventKind
	Group         int
	State         int
	Other         int
	Value, Value2 float64
}

var stubRecording sync.Map // *Replicate -> bool

// RecordEvents turns the event log on or off.
func (r *Replicate) RecordEvents(on bool) { stubRecording.Store(r, on) }

// Events returns the events since Reset, in order.
func (r *Replicate) Events() []Event {
	if on, _ := stubRecording.Load(r); on != true {
		return nil
	}
	var evs []Event
	states := 1
	if g := r.w.cfg.Geography; g != nil {
		states = g.Len()
	}
	for k, rec := range r.Lineage() {
		if rec.Origin != Faction || rec.BornWeek < 1 {
			continue
		}
		st := -1
		if r.w.cfg.Geography != nil {
			st = rec.Parent % states
		}
		kind := EventCapture
		if k%3 == 0 {
			kind = EventKilling
		}
		evs = append(evs, Event{Week: rec.BornWeek, Kind: kind, Group: rec.Parent, State: st, Other: -1},
			Event{Week: rec.BornWeek, Kind: EventSplit, Group: rec.Parent, State: st, Other: k})
	}
	// in week order, stable
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].Week < evs[j-1].Week; j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
	return evs
}
