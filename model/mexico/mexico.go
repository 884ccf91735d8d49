package mexico

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cartelsim/cartelsim/model"
)

//go:embed data/states.csv
var statesCSV []byte

//go:embed data/ports.csv
var portsCSV []byte

//go:embed data/population.csv
var populationCSV []byte

//go:embed data/PROVENANCE.md
var provenance string

// Provenance is the data's provenance note.
func Provenance() string { return provenance }

// Count is a national population count: its reference date, the people counted and the
// count's name.
type Count struct {
	Date   time.Time
	People float64
	Name   string
}

// NationalCounts returns INEGI's national population counts (data/population.csv), by
// date. The last is the census that states.csv's population_2020 counts: its People is
// their sum.
func NationalCounts() ([]Count, error) { return parseCounts(bytes.NewReader(populationCSV)) }

// parseCounts reads a counts file with the columns of data/population.csv: date
// (YYYY-MM-DD), population, count.
func parseCounts(r io.Reader) ([]Count, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("mexico: reading the population header: %w", err)
	}
	if want := "date,population,count"; strings.Join(header, ",") != want {
		return nil, fmt.Errorf("mexico: population header %v, want %s", header, want)
	}
	var counts []Count
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("mexico: population: %w", err)
		}
		date, err := time.Parse(time.DateOnly, rec[0])
		if err != nil {
			return nil, fmt.Errorf("mexico: population line %d: date %q is not YYYY-MM-DD", line, rec[0])
		}
		n, err := strconv.ParseFloat(rec[1], 64)
		if err != nil || !(n > 0) || n > 1e12 {
			return nil, fmt.Errorf("mexico: population line %d: population %q, want a positive number", line, rec[1])
		}
		if len(counts) > 0 && !date.After(counts[len(counts)-1].Date) {
			return nil, fmt.Errorf("mexico: population line %d: %s is not after the line before's date", line, rec[0])
		}
		counts = append(counts, Count{Date: date, People: n, Name: rec[2]})
	}
	if len(counts) == 0 {
		return nil, fmt.Errorf("mexico: population: no counts")
	}
	return counts, nil
}

// Load returns the geography of Mexico's 32 states, with the sea ports of data/ports.csv.
func Load() (*model.Geography, error) {
	return ParseWithPorts(bytes.NewReader(statesCSV), bytes.NewReader(portsCSV))
}

// Parse reads a states file with the columns of data/states.csv: code, inegi, name,
// population_2020, region, us_border, pacific_port, adjacent (space-separated codes).
// Its states have no sea port.
func Parse(r io.Reader) (*model.Geography, error) { return ParseWithPorts(r, nil) }

// ParseWithPorts reads a states file as Parse does and, unless ports is nil, a ports file
// with the columns of data/ports.csv (port, state, coast, source): each port gives its
// state a sea lane to the US from its coast (pacific or gulf; a state's ports share one).
func ParseWithPorts(r, ports io.Reader) (*model.Geography, error) {
	states, adjacency, err := parseStates(r)
	if err != nil {
		return nil, err
	}
	if ports != nil {
		if err := parsePorts(ports, states); err != nil {
			return nil, err
		}
	}
	return model.NewGeography(states, adjacency)
}

// parsePorts sets the Coast of the states the ports file names.
func parsePorts(r io.Reader, states []model.State) error {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("mexico: reading the ports header: %w", err)
	}
	want := []string{"port", "state", "coast", "source"}
	if strings.Join(header, ",") != strings.Join(want, ",") {
		return fmt.Errorf("mexico: ports header %v, want %v", header, want)
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("mexico: ports: %w", err)
		}
		if rec[0] == "" || rec[3] == "" {
			return fmt.Errorf("mexico: ports line %d: a port needs a name and a source", line)
		}
		coast, err := model.ParseCoast(rec[2])
		if err != nil {
			return fmt.Errorf("mexico: ports line %d: %w", line, err)
		}
		k := slices.IndexFunc(states, func(s model.State) bool { return s.Code == rec[1] })
		switch {
		case k < 0:
			return fmt.Errorf("mexico: ports line %d: port %s is in unknown state %q", line, rec[0], rec[1])
		case states[k].Coast != model.NoCoast && states[k].Coast != coast:
			return fmt.Errorf("mexico: ports line %d: port %s puts state %s on the %s coast, an earlier port on the %s", line, rec[0], rec[1], coast, states[k].Coast)
		}
		states[k].Coast = coast
	}
}

func parseStates(r io.Reader) ([]model.State, [][2]string, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("mexico: reading the header: %w", err)
	}
	want := []string{"code", "inegi", "name", "population_2020", "region", "us_border", "pacific_port", "adjacent"}
	if strings.Join(header, ",") != strings.Join(want, ",") {
		return nil, nil, fmt.Errorf("mexico: header %v, want %v", header, want)
	}
	var states []model.State
	var adjacency [][2]string
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("mexico: %w", err)
		}
		pop, err := strconv.ParseFloat(rec[3], 64)
		if err != nil {
			return nil, nil, fmt.Errorf("mexico: line %d: population %q: %w", line, rec[3], err)
		}
		zone, err := model.ParseZone(rec[4])
		if err != nil {
			return nil, nil, fmt.Errorf("mexico: line %d: %w", line, err)
		}
		flags := [2]bool{}
		for k, v := range rec[5:7] {
			if v != "0" && v != "1" {
				return nil, nil, fmt.Errorf("mexico: line %d: %s is %q, want 0 or 1", line, want[5+k], v)
			}
			flags[k] = v == "1"
		}
		states = append(states, model.State{Code: rec[0], Name: rec[2], Population: pop, Zone: zone, USBorder: flags[0], PacificPort: flags[1]})
		for _, to := range strings.Fields(rec[7]) {
			adjacency = append(adjacency, [2]string{rec[0], to})
		}
	}
	return states, adjacency, nil
}
