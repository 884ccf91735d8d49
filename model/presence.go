package model

// LineagePresence returns the states where lineage k's group is present at the end of
// the week last stepped, as a bit set (bit s for state s of the Geography): 0 when the
// group has ended, and in worlds without geography, whose groups hold no territory. The
// event study reads it to find "the other states where the same group operates"
// (Lindo & Padilla-Romo 2018).
func (r *Replicate) LineagePresence(k int) uint64 {
	if r.territory.regions == 0 {
		return 0
	}
	for i, rec := range r.record {
		if rec == k && r.c[i] > 0 {
			return r.territory.present[i] &^ r.territory.abroad
		}
	}
	return 0
}
