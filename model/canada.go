package model

import (
	"github.com/cartelsim/cartelsim/internal/fpmath"
	"math/rand/v2"
)

// Canada both ways: labs abroad (Canada) meet enforcement there, can move back to
// Mexico when that pressure rises, and can get precursors by routes other than Mexico's
// ports. All three are off at the defaults that keep earlier results
// (CanadaEnforcement 0 builds no pressure abroad, so ReturnShare never acts, and
// AbroadPrecursorAccess 0), and then draw no random numbers.

// canadaWeek dismantles labs abroad at the weekly hazard Economy.CanadaEnforcement,
// combined as independent shares with the intensity of every lab-dismantling campaign by
// Canada active in week wk: each working lab abroad is taken independently, awaits
// rebuilding as a struck lab does and adds to the pressure abroad. It returns the labs
// dismantled.
func (r *Replicate) canadaWeek(wk int, rng *rand.Rand) float64 {
	t := &r.territory
	h := r.w.econ.CanadaEnforcement
	for k := range r.w.campaigns {
		if cp := &r.w.campaigns[k]; cp.Actor == Canada && cp.Active(wk) {
			h = combineShares(h, cp.Intensity)
		}
	}
	if h <= 0 {
		return 0
	}
	abroad := t.regions - 1
	taken := 0.0
	for i := range r.c {
		if !r.alive(i) {
			continue
		}
		s := &t.slot(i)[abroad]
		if s.labs <= 0 {
			continue
		}
		k := Binomial(rng, s.labs, h)
		s.labs -= k
		s.pending += k
		s.pressure += k
		taken += k
	}
	return taken
}

// leaveAbroad returns where a lab of group i rebuilt abroad goes: it moves with
// probability 1 - exp(-pressure/RelocationScale), as labs in a state do, and a moving lab
// goes back to one of the group's states (the quietest, as new labs are placed) with
// probability ReturnShare; otherwise, or when the group holds no state, it stays abroad.
func (r *Replicate) leaveAbroad(i int, pressure float64, rng *rand.Rand) int {
	t := &r.territory
	e := &r.w.econ
	abroad := t.regions - 1
	if pressure <= 0 || t.present[i] == 0 {
		return abroad
	}
	if rng.Float64() >= -fpmath.Expm1(-pressure/e.RelocationScale) || rng.Float64() >= e.ReturnShare {
		return abroad
	}
	if v := t.quietState(i, -1, rng); v >= 0 {
		return v
	}
	return abroad
}

// abroadPrecursors is the share of its batch a lab abroad gets when a lab in Mexico gets
// share: AbroadPrecursorAccess by other routes, and share of the rest from Mexico's
// batches. It is share when AbroadPrecursorAccess is 0.
func (e *Economy) abroadPrecursors(share float64) float64 {
	a := e.AbroadPrecursorAccess
	return a + float64((1-a)*share)
}
