// Package docmarkers replaces the generated part of a Markdown file: the lines between a
// begin and an end marker, each on a line of its own, once, the beginning first. The
// tools that write numbers into the docs (tools/eventstudy-doc, tools/policy-questions)
// share it, so the text outside the markers is never touched.
package docmarkers

import (
	"bytes"
	"fmt"
	"strings"
)

// Replace returns text with body between the lines begin and end; path names the file in
// errors, which carry no package prefix (the caller adds its own).
func Replace(path string, text []byte, begin, end, body string) ([]byte, error) {
	lines := bytes.SplitAfter(text, []byte("\n"))
	b, e := -1, -1
	for i, l := range lines {
		switch strings.TrimSpace(string(l)) {
		case begin:
			if b >= 0 {
				return nil, fmt.Errorf("%s:%d: a second %s", path, i+1, begin)
			}
			b = i
		case end:
			if e >= 0 {
				return nil, fmt.Errorf("%s:%d: a second %s", path, i+1, end)
			}
			e = i
		}
	}
	if b < 0 || e < b {
		return nil, fmt.Errorf("%s: want a line %s and, after it, a line %s", path, begin, end)
	}
	var out bytes.Buffer
	for _, l := range lines[:b+1] {
		out.Write(l)
	}
	out.WriteString(body)
	for _, l := range lines[e:] {
		out.Write(l)
	}
	return out.Bytes(), nil
}
