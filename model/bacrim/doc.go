// Package bacrim ships the BACRIM 2020 network of Mexican criminal groups and the national
// trends of 2012-2021 published with Prieto-Curiel, Campedelli & Hope (2023), embedded in
// the binary (see data/PROVENANCE.md), and parses them into model types.
//
// The files are UTF-8 with a byte-order mark and quoted fields that may contain commas;
// they are read with encoding/csv. Parsing works on readers, so it does no file I/O.
package bacrim
