package model

import "math/bits"

// Deployments: troops and federal police sent to named states (kind deployment), as in
// the joint operations of Calderon's government from December 2006 (Michoacan, Baja
// California, Guerrero, Chihuahua, Tamaulipas and Nuevo Leon...). Intensity is the
// operation's level in [0,1], 1 a full joint operation; deployments in one state add
// up. Where they are, members are arrested at the added weekly hazard
// Params.DeploymentArrests x level (the incapacitation of members in those states), and
// the conflict hazard of members there is multiplied by
// max(0, 1 + Params.DeploymentViolence x level). What deployments do to violence is
// contested, so the parameter's range spans the hypotheses: 0, no effect; above 0, the
// confrontations and the disruption of local equilibria raise violence where troops go
// (Escalante 2011, Nexos; Merino 2011, Nexos; Espinosa & Rubin 2015, Am. Stat. 69:17;
// Dell 2015, AER 105:1738, for crackdowns after close PAN victories); below 0, they
// deter it. Without deployments nothing changes. Deployments need the states (a
// territory or an economy).

// deploy sets the week's deployment levels by state and whether any is in force.
func (r *Replicate) deploy(wk int) {
	sp := &r.space
	if sp.deployed {
		clear(sp.level)
	}
	sp.deployed = false
	if !sp.on {
		return
	}
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		if cp.Kind != Deployment || !cp.Active(wk) || cp.Intensity == 0 {
			continue
		}
		if !sp.deployed {
			sp.level = resize(sp.level, sp.states)
			clear(sp.level)
			sp.deployed = true
		}
		for m := cp.states; m != 0; m &= m - 1 {
			sp.level[bits.TrailingZeros64(m)] += cp.Intensity
		}
	}
}

// deployedExposure scales each member's conflict exposure where troops are and sets
// each group's arrest hazard from them (space.arrest, by slot), for sizes c, after
// spatialExposure (and a ceasefire's truce) set the exposure by state.
func (r *Replicate) deployedExposure(c []float64, p Params) {
	sp := &r.space
	t := &r.territory
	n := sp.states
	sp.arrest = resize(sp.arrest, len(c))
	clear(sp.arrest)
	for i, x := range c {
		if !r.alive(i) || x <= 0 {
			continue
		}
		mask := t.present[i]
		deployed := false
		for m := mask; m != 0; m &= m - 1 {
			if sp.level[bits.TrailingZeros64(m)] > 0 {
				deployed = true
				break
			}
		}
		if !deployed {
			continue
		}
		loc := sp.local[i*n : (i+1)*n]
		o, h := placed(x, mask)
		total, arrests := 0.0, 0.0
		for m := mask; m != 0; m &= m - 1 {
			v := bits.TrailingZeros64(m)
			own := o
			if v == t.home[i] {
				own = h
			}
			if lv := sp.level[v]; lv > 0 {
				loc[v] *= max(0, 1+float64(p.DeploymentViolence*lv))
				arrests += float64(own * lv)
			}
			total += float64(own * loc[v])
		}
		r.exposure[i] = total / x
		sp.arrest[i] = float64(p.DeploymentArrests*arrests) / x
	}
}
