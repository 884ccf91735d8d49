package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/model"
)

// paramsCmd prints the parameter registry (model.Registry).
type paramsCmd struct {
	section string
	format  string
}

var paramsFormats = []string{"md", "csv", "json"}

func (*paramsCmd) name() string { return "params" }
func (*paramsCmd) synopsis() string {
	return "print every parameter with its default, ranges, status and source"
}
func (*paramsCmd) usage() string { return "params [--section S] [--format md|csv|json]" }

func (c *paramsCmd) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.section, "section", "", "only this section: "+strings.Join(model.Sections, ", ")+" (default all)")
	fs.StringVar(&c.format, "format", "md", "output format: "+strings.Join(paramsFormats, ", "))
}

func (c *paramsCmd) validate(args []string) error {
	switch {
	case len(args) > 0:
		return usagef("params takes no arguments, got %d", len(args))
	case c.section != "" && !slices.Contains(model.Sections, c.section):
		return usagef("--section %q: want one of %s", c.section, strings.Join(model.Sections, ", "))
	case !slices.Contains(paramsFormats, c.format):
		return usagef("--format %q: want one of %s", c.format, strings.Join(paramsFormats, ", "))
	}
	return nil
}

func (c *paramsCmd) run(_ context.Context, _ []string, stdout, _ io.Writer) error {
	var reg []model.ParamInfo
	for _, p := range model.Registry() {
		if c.section == "" || p.Section == c.section {
			reg = append(reg, p)
		}
	}
	switch c.format {
	case "csv":
		return writeParamsCSV(stdout, reg)
	case "json":
		return writeParamsJSON(stdout, reg)
	}
	_, err := io.WriteString(stdout, paramsMarkdown(reg, c.section == ""))
	return err
}

// paramsCSVHeader are the CSV columns; max is Inf for no upper bound.
var paramsCSVHeader = []string{"section", "key", "unit", "default", "min", "max", "plausible_low", "plausible_high", "status", "source", "description"}

func writeParamsCSV(w io.Writer, reg []model.ParamInfo) error {
	cw := csv.NewWriter(w)
	cw.Write(paramsCSVHeader)
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, p := range reg {
		cw.Write([]string{p.Section, p.Key, p.Unit, g(p.Default), g(p.Min), g(p.Max), g(p.Low), g(p.High), string(p.Status), p.Source, p.Description})
	}
	cw.Flush()
	return cw.Error()
}

// paramJSON is a registry entry as JSON writes it: max is null for no upper bound, min
// for no lower one (JSON has no infinity).
type paramJSON struct {
	Section       string   `json:"section"`
	Key           string   `json:"key"`
	Unit          string   `json:"unit"`
	Default       float64  `json:"default"`
	Min           *float64 `json:"min"`
	Max           *float64 `json:"max"`
	PlausibleLow  float64  `json:"plausible_low"`
	PlausibleHigh float64  `json:"plausible_high"`
	Status        string   `json:"status"`
	Source        string   `json:"source"`
	Description   string   `json:"description"`
}

func toParamJSON(p model.ParamInfo) paramJSON {
	j := paramJSON{Section: p.Section, Key: p.Key, Unit: p.Unit, Default: p.Default,
		PlausibleLow: p.Low, PlausibleHigh: p.High, Status: string(p.Status), Source: p.Source, Description: p.Description}
	if !math.IsInf(p.Min, -1) {
		j.Min = &p.Min
	}
	if !math.IsInf(p.Max, 1) {
		j.Max = &p.Max
	}
	return j
}

func writeParamsJSON(w io.Writer, reg []model.ParamInfo) error {
	out := make([]paramJSON, len(reg))
	for i, p := range reg {
		out[i] = toParamJSON(p)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// paramsMarkdown is the registry as markdown tables, one per section, each under a
// heading when headings is set. The parameter tables of docs/model.md are these (TestModelDocParams).
func paramsMarkdown(reg []model.ParamInfo, headings bool) string {
	var b strings.Builder
	section := ""
	for _, p := range reg {
		if p.Section != section {
			if section != "" {
				b.WriteString("\n")
			}
			section = p.Section
			if headings {
				fmt.Fprintf(&b, "`%s`\n\n", section)
			}
			b.WriteString("| key | meaning | unit | default | valid | plausible | status | source or basis |\n")
			b.WriteString("| --- | --- | --- | ---: | --- | --- | --- | --- |\n")
		}
		valid := mdRange(p.Min, p.Max)
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s to %s | %s | %s |\n", p.Key, p.Description, p.Unit,
			mdNumber(p.Default), valid, mdNumber(p.Low), mdNumber(p.High), p.Status, p.Source)
	}
	return b.String()
}

// mdRange writes a validity range: "0 to 1", "≥ 1" without an upper bound, "≤ 1" without
// a lower one, "any" without either.
func mdRange(lo, hi float64) string {
	switch {
	case math.IsInf(lo, -1) && math.IsInf(hi, 1):
		return "any"
	case math.IsInf(hi, 1):
		return "≥ " + mdNumber(lo)
	case math.IsInf(lo, -1):
		return "≤ " + mdNumber(hi)
	}
	return mdNumber(lo) + " to " + mdNumber(hi)
}

// mdNumber writes a number for people: exact when that is short (0.002527474, 1e-08,
// 400000), otherwise to six significant digits (104.357 for two years in weeks), with
// exponents written 1e12 rather than 1e+12.
func mdNumber(x float64) string {
	s := strconv.FormatFloat(x, 'g', -1, 64)
	if len(s) > 12 {
		s = strconv.FormatFloat(x, 'g', 6, 64)
	}
	if m, e, ok := strings.Cut(s, "e"); ok {
		sign := ""
		if e[0] == '-' {
			sign = "-"
		}
		s = m + "e" + sign + strings.TrimLeft(e[1:], "0")
	}
	return s
}
