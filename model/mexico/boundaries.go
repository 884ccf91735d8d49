package mexico

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
)

//go:embed data/states.geojson
var statesGeoJSON []byte

//go:embed data/BOUNDARIES.md
var boundariesProvenance string

// BoundariesProvenance is the provenance note of the state boundaries: source, licence,
// processing and the command that regenerates them.
func BoundariesProvenance() string { return boundariesProvenance }

// Boundary is a state's outline for maps: its polygons (the mainland and any islands),
// each one closed ring of (longitude, latitude) points in degrees (WGS 84), the first
// point repeated last, counter-clockwise. Mexico's states have no holes, and the file
// holds none.
type Boundary struct {
	Code, Name string
	Polygons   [][][2]float64
}

// Boundaries returns the outlines of Mexico's 32 states (data/states.geojson, sources in
// data/BOUNDARIES.md), in the order of the file: by INEGI key, as Load orders the states.
func Boundaries() ([]Boundary, error) { return ParseBoundaries(bytes.NewReader(statesGeoJSON)) }

// ParseBoundaries reads a GeoJSON FeatureCollection whose features have the properties
// code and name and a Polygon or MultiPolygon geometry without holes.
func ParseBoundaries(r io.Reader) ([]Boundary, error) {
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties struct {
				Code string `json:"code"`
				Name string `json:"name"`
			} `json:"properties"`
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.NewDecoder(r).Decode(&fc); err != nil {
		return nil, fmt.Errorf("mexico: boundaries: %w", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("mexico: boundaries: type %q, want FeatureCollection", fc.Type)
	}
	out := make([]Boundary, 0, len(fc.Features))
	seen := map[string]bool{}
	for k, f := range fc.Features {
		code := f.Properties.Code
		if code == "" {
			return nil, fmt.Errorf("mexico: boundaries: feature %d has no code", k)
		}
		if seen[code] {
			return nil, fmt.Errorf("mexico: boundaries: state %s appears twice", code)
		}
		seen[code] = true
		var polys [][][][2]float64
		switch f.Geometry.Type {
		case "Polygon":
			var p [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				return nil, fmt.Errorf("mexico: boundaries: %s: %w", code, err)
			}
			polys = [][][][2]float64{p}
		case "MultiPolygon":
			if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
				return nil, fmt.Errorf("mexico: boundaries: %s: %w", code, err)
			}
		default:
			return nil, fmt.Errorf("mexico: boundaries: %s: geometry %q, want Polygon or MultiPolygon", code, f.Geometry.Type)
		}
		b := Boundary{Code: code, Name: f.Properties.Name}
		for i, p := range polys {
			if len(p) != 1 {
				return nil, fmt.Errorf("mexico: boundaries: %s: polygon %d has %d rings, want 1 (no holes)", code, i, len(p))
			}
			if err := checkRing(p[0]); err != nil {
				return nil, fmt.Errorf("mexico: boundaries: %s: polygon %d: %w", code, i, err)
			}
			b.Polygons = append(b.Polygons, p[0])
		}
		if len(b.Polygons) == 0 {
			return nil, fmt.Errorf("mexico: boundaries: %s has no polygon", code)
		}
		out = append(out, b)
	}
	return out, nil
}

// checkRing checks that a ring is closed, has at least three distinct points, finite
// coordinates in range and a positive (counter-clockwise) area.
func checkRing(ring [][2]float64) error {
	if len(ring) < 4 {
		return fmt.Errorf("a ring of %d points, want at least 4", len(ring))
	}
	if ring[0] != ring[len(ring)-1] {
		return fmt.Errorf("ring not closed: starts at %v, ends at %v", ring[0], ring[len(ring)-1])
	}
	for _, p := range ring {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.Abs(p[0]) > 180 || math.Abs(p[1]) > 90 {
			return fmt.Errorf("point %v is not a longitude and latitude", p)
		}
	}
	if a := RingArea(ring); !(a > 0) {
		return fmt.Errorf("ring area %g, want a positive area (counter-clockwise)", a)
	}
	return nil
}

// RingArea is the signed area of a closed ring in square degrees (shoelace formula):
// positive when the ring runs counter-clockwise.
func RingArea(ring [][2]float64) float64 {
	a := 0.0
	for i := 0; i+1 < len(ring); i++ {
		a += float64(ring[i][0]*ring[i+1][1]) - float64(ring[i+1][0]*ring[i][1])
	}
	return a / 2
}
