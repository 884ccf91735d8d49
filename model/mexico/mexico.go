package mexico

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cartelsim/cartelsim/model"
)

//go:embed data/states.csv
var statesCSV []byte

//go:embed data/PROVENANCE.md
var provenance string

// Provenance is the data's provenance note.
func Provenance() string { return provenance }

// Load returns the geography of Mexico's 32 states.
func Load() (*model.Geography, error) { return Parse(bytes.NewReader(statesCSV)) }

// Parse reads a states file with the columns of data/states.csv: code, inegi, name,
// population_2020, region, us_border, pacific_port, adjacent (space-separated codes).
func Parse(r io.Reader) (*model.Geography, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("mexico: reading the header: %w", err)
	}
	want := []string{"code", "inegi", "name", "population_2020", "region", "us_border", "pacific_port", "adjacent"}
	if strings.Join(header, ",") != strings.Join(want, ",") {
		return nil, fmt.Errorf("mexico: header %v, want %v", header, want)
	}
	var states []model.State
	var adjacency [][2]string
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("mexico: %w", err)
		}
		pop, err := strconv.ParseFloat(rec[3], 64)
		if err != nil {
			return nil, fmt.Errorf("mexico: line %d: population %q: %w", line, rec[3], err)
		}
		zone, err := model.ParseZone(rec[4])
		if err != nil {
			return nil, fmt.Errorf("mexico: line %d: %w", line, err)
		}
		flags := [2]bool{}
		for k, v := range rec[5:7] {
			if v != "0" && v != "1" {
				return nil, fmt.Errorf("mexico: line %d: %s is %q, want 0 or 1", line, want[5+k], v)
			}
			flags[k] = v == "1"
		}
		states = append(states, model.State{Code: rec[0], Name: rec[2], Population: pop, Zone: zone, USBorder: flags[0], PacificPort: flags[1]})
		for _, to := range strings.Fields(rec[7]) {
			adjacency = append(adjacency, [2]string{rec[0], to})
		}
	}
	return model.NewGeography(states, adjacency)
}
