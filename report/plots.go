package report

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// plot is one figure of the page: an inline SVG, or an image given as a data URI.
type plot struct {
	Name    string
	SVG     template.HTML
	DataURI template.URL
}

// unsafeSVG matches what an SVG a cartelsim run wrote never has, and an inline SVG must
// not bring into the page: scripts, foreign HTML, event handlers, links and styles that
// could load something.
var unsafeSVG = regexp.MustCompile(`(?i)<script|<foreignobject|<iframe|<a[\s>]|\son[a-z]+\s*=|href\s*=|url\s*\(|@import|<!entity`)

// prologue matches what precedes the <svg> element: the XML declaration, comments and a
// doctype.
var prologue = regexp.MustCompile(`(?s)\A\s*(<\?xml.*?\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*`)

// svgElements are the elements an inlined SVG may have: those of drawings (gonum/plot's
// and the maps' use a few of them), none that runs, links or animates.
var svgElements = map[string]bool{
	"svg": true, "g": true, "path": true, "text": true, "tspan": true, "rect": true,
	"circle": true, "ellipse": true, "line": true, "polyline": true, "polygon": true,
	"title": true, "desc": true, "defs": true, "clippath": true,
}

var svgTag = regexp.MustCompile(`<\s*/?\s*([A-Za-z][A-Za-z0-9:_-]*)`)

// inlineSVG returns an SVG file's <svg> element for inlining, or false if it is not one
// that can be inlined safely: an element outside svgElements, an event handler, a link,
// a URL or an entity declaration keeps it out.
func inlineSVG(b []byte) (string, bool) {
	s := prologue.ReplaceAllString(string(b), "")
	if !strings.HasPrefix(s, "<svg") || unsafeSVG.MatchString(s) || strings.Contains(strings.ToLower(s), "javascript:") {
		return "", false
	}
	for _, m := range svgTag.FindAllStringSubmatch(s, -1) {
		if !svgElements[strings.ToLower(m[1])] {
			return "", false
		}
	}
	return strings.TrimSpace(s), true
}

// plotFiles lists the directory's plots/: the files the manifest names in its order,
// then any other; an SVG for each plot that has one, else its PNG.
func (s *Source) plotFiles() []string {
	entries, err := os.ReadDir(filepath.Join(s.Dir, "plots"))
	if err != nil {
		return nil
	}
	have := map[string]bool{}
	for _, e := range entries {
		if e.Type().IsRegular() {
			have[e.Name()] = true
		}
	}
	var order []string
	files, _ := s.Raw["files"].([]any)
	for _, f := range files {
		if name, ok := f.(string); ok && strings.HasPrefix(name, "plots/") {
			if n := strings.TrimPrefix(name, "plots/"); have[n] && !slices.Contains(order, n) {
				order = append(order, n)
			}
		}
	}
	for _, e := range entries { // ReadDir sorts by name
		if have[e.Name()] && !slices.Contains(order, e.Name()) {
			order = append(order, e.Name())
		}
	}
	var out []string
	for _, n := range order {
		base, ext := strings.TrimSuffix(n, filepath.Ext(n)), filepath.Ext(n)
		switch {
		case ext == ".svg":
			out = append(out, n)
		case ext == ".png" && !have[base+".svg"]:
			out = append(out, n)
		}
	}
	return out
}

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// Plots inlines the plots the directory's command wrote under plots/.
func Plots(s *Source) (Section, error) {
	var plots []plot
	var skipped []string
	for _, n := range s.plotFiles() {
		b, err := readFile(filepath.Join(s.Dir, "plots"), n)
		if err != nil {
			return Section{}, err
		}
		p := plot{Name: relPlot(n)}
		switch {
		case strings.HasSuffix(n, ".svg"):
			svg, ok := inlineSVG(b)
			if !ok {
				skipped = append(skipped, p.Name)
				continue
			}
			p.SVG = template.HTML(svg)
		case bytes.HasPrefix(b, pngMagic):
			p.DataURI = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b))
		default:
			skipped = append(skipped, p.Name)
			continue
		}
		plots = append(plots, p)
	}
	body, err := fragment("plots", struct {
		Plots   []plot
		Skipped []string
	}{plots, skipped})
	return Section{ID: "plots", Title: "Plots", Body: body}, err
}
