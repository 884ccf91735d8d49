// Package mexico ships the state graph cartelsim's territory model runs on: Mexico's 32
// states with their 2020 census population, land adjacency, US border and Pacific ports
// (data/states.csv, sources in data/PROVENANCE.md), as a model.Geography, and the states'
// outlines for maps (data/states.geojson, from Natural Earth: data/BOUNDARIES.md).
package mexico
