package model

import "slices"

// RebuildRivalBitsAlways lets the external tests make formAlliances rebuild its rows of
// rival bits every week.
var RebuildRivalBitsAlways = &rebuildRivalBitsAlways

// CheckRivalBitRows makes every sync of formAlliances' rows of rivals and rivals' rivals
// report whether it updated them from the links made since the last (rather than
// rebuilding them), and whether they then equal the rows a rebuild gives; the returned
// function stops it.
func CheckRivalBitRows(report func(updated, equal bool)) (stop func()) {
	rivalBitsSynced = func(r *Replicate, updated bool) {
		kept, keptRR := slices.Clone(r.rivalBits), slices.Clone(r.rrBits)
		r.rivalBitRows(r.bitSlots, r.bitWords)
		report(updated, slices.Equal(kept, r.rivalBits) && slices.Equal(keptRR, r.rrBits))
	}
	return func() { rivalBitsSynced = nil }
}
