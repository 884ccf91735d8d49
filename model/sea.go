package model

import (
	"errors"
	"fmt"
)

// The sea: maritime routes from Mexico's ports to the US, and the campaigns against the
// boats on them. A state whose port has a lane to the US (State.Coast) can ship by sea:
// an edge from the state to the US in the route graph, whose cost and seizure share are
// the coast's (Economy.PacificSeaCost and PacificSeaSeizure, GulfSeaCost and
// GulfSeaSeizure). The lanes are closed unless the economy's SeaRoutes is 1, so that a
// world without them routes, and draws, exactly as before.
//
// Two kinds act on the lanes. MaritimeStrikes strikes a share of the boats that sail (the
// US campaign of 2025 in the Caribbean and the eastern Pacific): their loads are
// destroyed, their crews killed (CrewDeaths a boat of BoatLoad doses, the metric
// deaths_at_sea), and the lanes grow costlier by EnforcementCost x StrikeDeterrence x the
// share struck, so that routes move to land. NavalInterdiction boards and seizes a share
// of them: seizures, no deaths, and a cost of only EnforcementCost x the share. Both act
// at their actor's reach (Mexico's and joint action through corruption, Policy); each
// boat struck is a kinetic action (a unilateral one, costing cooperation, for actor us;
// inviting retaliation for us and joint), boarding is not.

// Coast is the coast a sea lane leaves from.
type Coast uint8

// The coasts.
const (
	NoCoast      Coast = iota
	PacificCoast       // to California
	GulfCoast          // to the Gulf coast of the US
	NumCoasts
)

var coastNames = [NumCoasts]string{"", "pacific", "gulf"}

func (c Coast) String() string { return coastNames[c] }

// ParseCoast reads a coast's name (pacific or gulf).
func ParseCoast(s string) (Coast, error) {
	for c := PacificCoast; c < NumCoasts; c++ {
		if s == coastNames[c] {
			return c, nil
		}
	}
	return NoCoast, fmt.Errorf("model: unknown coast %q (want pacific or gulf)", s)
}

// SeaLane is Routes.Next of a state whose path leaves by sea.
const SeaLane = -2

// The kinds at sea (see above).
const (
	// MaritimeStrikes strikes a share (intensity, in [0,1)) of the boats on the sea lanes.
	MaritimeStrikes Kind = "maritime-strikes"
	// NavalInterdiction boards and seizes a share (intensity, in [0,1)) of the boats on
	// the sea lanes, without lethal force.
	NavalInterdiction Kind = "naval-interdiction"
)

// AtSea reports whether the kind acts on the sea lanes.
func (k Kind) AtSea() bool { return k == MaritimeStrikes || k == NavalInterdiction }

func (iv Intervention) validateSea() error {
	if iv.Intensity >= 1 {
		return fieldErrorf("intensity", "%s intensity %v is the share of boats taken, want less than 1", iv.Kind, iv.Intensity)
	}
	return nil
}

// SeaLanes are the sea lanes' state for routing: open or not, and each coast's cost and
// seizure share (index NoCoast unused).
type SeaLanes struct {
	Open  bool
	Cost  [NumCoasts]float64
	Seize [NumCoasts]float64
}

// SetSea opens (or closes) the sea lanes for the router's next routes.
func (rt *Router) SetSea(lanes SeaLanes) { rt.sea = lanes }

// seaOpen reports whether shipments can sail: the lanes are open and some state has one.
func (rt *Router) seaOpen() bool { return rt.sea.Open && rt.g.coast != 0 }

// seaLanes are the lanes at the economy's parameters, before any campaign.
func (e *Economy) seaLanes() SeaLanes {
	if e.SeaRoutes == 0 {
		return SeaLanes{}
	}
	var l SeaLanes
	l.Open = true
	l.Cost[PacificCoast], l.Seize[PacificCoast] = e.PacificSeaCost, e.PacificSeaSeizure
	l.Cost[GulfCoast], l.Seize[GulfCoast] = e.GulfSeaCost, e.GulfSeaSeizure
	return l
}

// validateSeaWorld checks that a world's campaigns at sea have lanes to act on.
func (w *World) validateSeaWorld(iv Intervention) error {
	if !iv.Kind.AtSea() {
		return nil
	}
	if !w.HasEconomy() || w.econ.SeaRoutes == 0 {
		return fmt.Errorf("model: %s needs the sea lanes open (economy sea_routes: 1)", iv.Kind)
	}
	return nil
}

// validateSeaGeography checks that an economy with its sea lanes open has a port to sail from.
func (w *World) validateSeaGeography() error {
	if w.econ.SeaRoutes != 0 && w.cfg.Geography.coast == 0 {
		return errors.New("model: economy sea_routes is 1 but no state of the geography has a sea port (State.Coast)")
	}
	return nil
}

// seaPolicy sets the week's sea lanes from the economy and the campaigns at sea active in
// week wk, and the share of boats struck.
func (r *Replicate) seaPolicy(wk int) {
	t := &r.territory
	e := &r.w.econ
	t.sea, t.struck = e.seaLanes(), 0
	if !t.sea.Open {
		return
	}
	board := 0.0
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		if !cp.Active(wk) || !cp.Kind.AtSea() {
			continue
		}
		share := min(1, cp.Intensity*r.reach(cp.Actor))
		if cp.Kind == MaritimeStrikes {
			t.struck = combineShares(t.struck, share)
		} else {
			board = combineShares(board, share)
		}
	}
	if t.struck == 0 && board == 0 {
		return
	}
	raise := float64(e.EnforcementCost * (float64(e.StrikeDeterrence*t.struck) + board))
	for c := PacificCoast; c < NumCoasts; c++ {
		t.sea.Seize[c] = combineShares(combineShares(t.sea.Seize[c], t.struck), board)
		t.sea.Cost[c] += raise
	}
}

// seaWeek reports the week at sea, once shipments are made: the doses that sailed
// (sea_shipments), the boats struck (the sailing doses times the share struck, in boats of
// BoatLoad), their crews killed (deaths_at_sea, an expected number), and each strike
// campaign's boats as kinetic actions by its actor, in proportion to its share.
func (r *Replicate) seaWeek(wk int, out []float64) {
	t := &r.territory
	e := &r.w.econ
	out[SeaShipments] = t.seaborne
	if t.struck == 0 || t.seaborne == 0 {
		return
	}
	boats := t.seaborne * t.struck / e.BoatLoad
	out[DeathsAtSea] = boats * e.CrewDeaths
	total := 0.0
	for k := range r.w.campaigns {
		if cp := &r.w.campaigns[k]; cp.Active(wk) && cp.Kind == MaritimeStrikes {
			total += min(1, cp.Intensity*r.reach(cp.Actor))
		}
	}
	for k := range r.w.campaigns {
		if cp := &r.w.campaigns[k]; cp.Active(wk) && cp.Kind == MaritimeStrikes {
			r.countAction(cp.Actor, boats*min(1, cp.Intensity*r.reach(cp.Actor))/total)
		}
	}
}
