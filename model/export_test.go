package model

// RebuildRivalBitsAlways lets the external tests make formAlliances rebuild its rows of
// rival bits every week.
var RebuildRivalBitsAlways = &rebuildRivalBitsAlways
