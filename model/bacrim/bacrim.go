package bacrim

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cartelsim/cartelsim/model"
)

//go:embed data/*.csv data/PROVENANCE.md
var files embed.FS

// Provenance is the data's provenance note, kept beside it as its licence asks.
func Provenance() string {
	b, _ := files.ReadFile("data/PROVENANCE.md")
	return string(b)
}

// Dataset is the whole BACRIM 2020 data set.
type Dataset struct {
	Groups    []model.Group
	Rivalries []model.Edge
	Alliances []model.Edge
	Trends    []Trend
}

// Trend is one year of the national series.
type Trend struct {
	Year           int
	Homicides      float64
	MissingPersons float64
	Arrests        float64
}

// Load parses the embedded data set.
func Load() (*Dataset, error) {
	open := func(name string) io.Reader {
		b, err := files.ReadFile("data/" + name)
		if err != nil {
			panic(err) // embedded at build time: a missing file is a build defect
		}
		return bytes.NewReader(b)
	}
	var d Dataset
	var err error
	if d.Groups, err = ParseGroups(open("BACRIM2020_Nodes.csv")); err != nil {
		return nil, err
	}
	if d.Rivalries, err = ParseEdges(open("BACRIM2020_Rivals.csv")); err != nil {
		return nil, err
	}
	if d.Alliances, err = ParseEdges(open("BACRIM2020_Alliances.csv")); err != nil {
		return nil, err
	}
	if d.Trends, err = ParseTrends(open("Trends2012_2021.csv")); err != nil {
		return nil, err
	}
	return &d, nil
}

// Network builds the ranked network of the data set.
func (d *Dataset) Network() (*model.Network, error) {
	return model.NewNetwork(d.Groups, d.Rivalries, d.Alliances)
}

// table reads a CSV with a header, dropping a leading byte-order mark, and returns the
// rows as maps from the required column names to values. A name ending in '?' is an
// optional column, "" where the file lacks it (the map's key drops the '?').
func table(r io.Reader, required ...string) ([]map[string]string, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("bacrim: empty file")
		}
		return nil, fmt.Errorf("bacrim: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, name := range required {
		if _, ok := col[name]; !ok && !strings.HasSuffix(name, "?") {
			return nil, fmt.Errorf("bacrim: missing column %q (have %v)", name, header)
		}
	}
	var rows []map[string]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("bacrim: %w", err)
		}
		row := make(map[string]string, len(required))
		for _, name := range required {
			if i, ok := col[strings.TrimSuffix(name, "?")]; ok {
				row[strings.TrimSuffix(name, "?")] = strings.TrimSpace(rec[i])
			}
		}
		rows = append(rows, row)
	}
}

// ParseGroups reads a node file: Node, Group, State and, if present, ShortName (further
// columns ignored).
func ParseGroups(r io.Reader) ([]model.Group, error) {
	rows, err := table(r, "Node", "Group", "State", "ShortName?")
	if err != nil {
		return nil, err
	}
	gs := make([]model.Group, len(rows))
	for i, row := range rows {
		gs[i] = model.Group{ID: row["Node"], Name: row["Group"], ShortName: row["ShortName"], State: row["State"]}
	}
	return gs, nil
}

// ParseEdges reads an edge file: Node, RNode, weight (further columns ignored).
func ParseEdges(r io.Reader) ([]model.Edge, error) {
	rows, err := table(r, "Node", "RNode", "weight")
	if err != nil {
		return nil, err
	}
	es := make([]model.Edge, len(rows))
	for i, row := range rows {
		w, err := strconv.ParseFloat(row["weight"], 64)
		if err != nil {
			return nil, fmt.Errorf("bacrim: edge row %d: bad weight %q", i+2, row["weight"])
		}
		es[i] = model.Edge{From: row["Node"], To: row["RNode"], Weight: w}
	}
	return es, nil
}

// ParseTrends reads the national yearly series: YEAR, homicide, missings, arrests.
func ParseTrends(r io.Reader) ([]Trend, error) {
	rows, err := table(r, "YEAR", "homicide", "missings", "arrests")
	if err != nil {
		return nil, err
	}
	ts := make([]Trend, len(rows))
	for i, row := range rows {
		var vals [4]float64
		for j, k := range []string{"YEAR", "homicide", "missings", "arrests"} {
			v, err := strconv.ParseFloat(row[k], 64)
			if err != nil {
				return nil, fmt.Errorf("bacrim: trends row %d: bad %s %q", i+2, k, row[k])
			}
			vals[j] = v
		}
		ts[i] = Trend{Year: int(vals[0]), Homicides: vals[1], MissingPersons: vals[2], Arrests: vals[3]}
	}
	return ts, nil
}
