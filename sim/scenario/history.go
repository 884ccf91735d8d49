package scenario

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cartelsim/cartelsim/model"
)

// A scenario's world may be another scenario's end state: world: {history: FILE} (a path
// relative to the file that gives it). Replicate r then runs the history's world, with its
// parameters and campaigns, from the history's start to this scenario's start, on replicate
// r's own random stream, and goes on with this scenario's interventions. In the model this
// is a warm-up (Config.WarmUpWeeks) whose weeks carry the history's campaigns, so scenarios
// on the same history differ only in their own interventions, and compare and the
// experiments branch them after the history, which each replicate runs once.
//
// Keys combine as extends: combines them, the history being the base: this scenario's
// parameters and sections (fragmentation, territory, economy, policy), key by key, override
// the history's, which are in force from the history's start (a value given here changes
// the history too, as a posterior draw must); the history's name, description, start,
// weeks, replicates, seed and interventions are its own. A section the history lacks
// (economy, policy) starts at this scenario's start (Config.LateEconomy, LatePolicy); the
// history's territory becomes the economy's territory keys.

// An override of interventions.NAME... that names none of the scenario's interventions
// applies to the history's (its campaigns, breakaways and deployments), where it must name
// one: a posterior fitted on the history may hold such keys, and a draw must reach them.
// The history's checksum, in the scenario's, then covers it.

// ofHistory reports whether o is an override of a history's intervention: top has
// world.history, and o's key is interventions.NAME... with NAME not among top's
// interventions.
func ofHistory(top *yaml.Node, o Override) bool {
	world := mappingValue(top, "world")
	if world == nil || world.Kind != yaml.MappingNode || mappingValue(world, "history") == nil {
		return false
	}
	steps, err := o.path()
	if err != nil || len(steps) < 2 || steps[0].key != "interventions" || steps[1].index >= 0 || steps[1].bracket {
		return false
	}
	list := mappingValue(top, "interventions")
	if list == nil || list.Kind != yaml.SequenceNode {
		return true
	}
	_, err = interventionByName(list, steps[1].key)
	return err != nil
}

// historyKeys are the history's top-level keys that stay its own.
var historyKeys = map[string]bool{"name": true, "description": true, "start": true, "weeks": true,
	"replicates": true, "seed": true, "interventions": true}

// scenarioHistory is the history a scenario's world follows from.
type scenarioHistory struct {
	sc   *Scenario
	file string // the scenario file giving world.history, and its line
	line int
	path string // as given
}

func (h *scenarioHistory) fail(format string, args ...any) error {
	return &ScenarioError{File: h.file, Line: h.line, Key: "world.history", Msg: fmt.Sprintf(format, args...)}
}

// unnamed rewrites a history's error on an override that names an intervention neither
// the scenario (file, its merged tree top) nor its history has: it is the scenario's
// override, so the error names the scenario and both lists of names, not the history alone.
func (h *scenarioHistory) unnamed(err error, file string, top *yaml.Node, sets []Override) error {
	se, ok := err.(*ScenarioError)
	const missing = "no intervention is named "
	if !ok || se.Set == "" || !strings.HasPrefix(se.Msg, missing) {
		return err
	}
	for _, o := range sets {
		if o.String() != se.Set {
			continue
		}
		steps, perr := o.path()
		if perr != nil || len(steps) < 2 {
			return err
		}
		name := steps[1].key
		own := interventionNames(mappingValue(top, "interventions"))
		hint := didYouMean(name, own)
		if hint == "" {
			rest := strings.TrimPrefix(se.Msg[len(missing):], strconv.Quote(name))
			hint = strings.Replace(rest, "(the names are ", "(the history's are ", 1)
		}
		ownText := "none named"
		if len(own) > 0 {
			ownText = strings.Join(own, ", ")
		}
		return &ScenarioError{File: file, Set: se.Set,
			Msg: fmt.Sprintf("neither this scenario (its interventions: %s) nor its history, %s, has an intervention named %q%s", ownText, h.path, name, hint)}
	}
	return err
}

// history finds world.history in top (the scenario's merged tree), reads the history and
// returns top laid over it (the tree parseTree decodes), the history, and the files whose
// lines the merged tree's nodes carry (c's, then the history's). Without world.history it
// returns top and nil.
func (c *chain) history(top *yaml.Node) (*yaml.Node, *scenarioHistory, []chainFile, error) {
	world := mappingValue(top, "world")
	if world == nil || world.Kind != yaml.MappingNode {
		return top, nil, c.files, nil
	}
	var key, value *yaml.Node
	for j := 0; j+1 < len(world.Content); j += 2 {
		if world.Content[j].Value == "history" {
			key, value = world.Content[j], world.Content[j+1]
		}
	}
	if key == nil {
		return top, nil, c.files, nil
	}
	k := key.Line / fileLines
	if k >= len(c.files) {
		k = 0
	}
	h := &scenarioHistory{file: c.files[k].path, line: key.Line % fileLines}
	for j := 0; j+1 < len(world.Content); j += 2 {
		if other := world.Content[j]; other.Value != "history" {
			return nil, nil, nil, &ScenarioError{File: h.file, Line: other.Line % fileLines, Key: "world." + other.Value,
				Msg: "not with world.history, whose world is the history's at this scenario's start"}
		}
	}
	if value.Kind != yaml.ScalarNode || isNull(value) || value.ShortTag() != "!!str" || value.Value == "" {
		return nil, nil, nil, h.fail("want a scenario file (a path relative to this file's directory), got %s", kindName(value))
	}
	if filepath.IsAbs(value.Value) {
		return nil, nil, nil, h.fail("%s is an absolute path: want one relative to this file's directory", value.Value)
	}
	h.path = value.Value
	path := filepath.Join(filepath.Dir(h.file), filepath.FromSlash(value.Value))
	for _, f := range append(c.files, c.histories...) {
		if samePath(f.path, path) {
			return nil, nil, nil, h.fail("%s is a cycle: its world comes, through world.history, from this file", value.Value)
		}
	}
	// The scenario as run names the history relative to its own directory.
	if rel, err := filepath.Rel(filepath.Dir(c.files[0].path), path); err == nil {
		value.Value = filepath.ToSlash(rel)
	}
	read := c.read
	if read == nil {
		read = readScenarioFile
	}
	data, err := read(path)
	if err != nil {
		if se, ok := err.(*ScenarioError); ok {
			return nil, nil, nil, h.fail("%s: %s", path, se.Msg)
		}
		return nil, nil, nil, err
	}
	hc := &chain{read: c.read, histories: append(append([]chainFile(nil), c.histories...), c.files...)}
	if h.sc, err = parseChain(path, data, c.historySets, hc); err != nil {
		return nil, nil, nil, h.unnamed(err, c.files[0].path, top, c.historySets)
	}
	if h.sc.history != nil {
		return nil, nil, nil, h.fail("%s's world is itself a history (%s): name that history here instead", value.Value, h.sc.history.path)
	}
	// The history's tree, its nodes marked as files after c's.
	base := &yaml.Node{Kind: yaml.MappingNode, Tag: hc.tree.Tag}
	for j := 0; j+1 < len(hc.tree.Content); j += 2 {
		if !historyKeys[hc.tree.Content[j].Value] {
			base.Content = append(base.Content, hc.tree.Content[j], hc.tree.Content[j+1])
		}
	}
	base = deepCopy(base)
	shiftLines(base, len(c.files)*fileLines)
	if w := mappingValue(base, "world"); w != nil {
		dropKey(w, "since") // the history's warm-up is in its configuration
	}
	child := &yaml.Node{Kind: yaml.MappingNode, Tag: top.Tag, Line: top.Line, Column: top.Column}
	for j := 0; j+1 < len(top.Content); j += 2 {
		if top.Content[j].Value != "world" {
			child.Content = append(child.Content, top.Content[j], top.Content[j+1])
		}
	}
	merged := mergeMapping(base, child, true)
	// A history on a territory under a scenario with an economy: the territory's keys are
	// the economy's (an economy places the groups itself).
	terr, econ := mappingValue(merged, "territory"), mappingValue(merged, "economy")
	if terr != nil && econ != nil {
		if mappingValue(base, "economy") != nil {
			return nil, nil, nil, h.fail("%s has an economy: this scenario cannot give a territory instead", value.Value)
		}
		if terr.Kind == yaml.MappingNode {
			if econ.Kind == yaml.MappingNode {
				econ = mergeMapping(terr, econ, false)
			} else {
				econ = terr
			}
			setKey(merged, "economy", econ)
		}
		dropKey(merged, "territory")
	}
	files := append(append([]chainFile(nil), c.files...), hc.files...)
	return merged, h, files, nil
}

// apply makes sc's world the history's: its warm-up, then the history's weeks up to sc's
// start with the history's campaigns, then sc's own interventions.
func (h *scenarioHistory) apply(sc *Scenario) error {
	hs := h.sc
	days := int(sc.Clock.Start.Sub(hs.Clock.Start).Hours() / 24)
	end := hs.Clock.Start.AddDate(0, 0, 7*hs.Clock.Weeks)
	switch {
	case days <= 0:
		return h.fail("%s starts on %s, not before this scenario's start, %s", h.path, hs.Clock.Start.Format(time.DateOnly), sc.Clock.Start.Format(time.DateOnly))
	case days%7 != 0:
		return h.fail("this scenario's start, %s, is not on %s's week grid (its start, %s, plus a multiple of 7 days)", sc.Clock.Start.Format(time.DateOnly), h.path, hs.Clock.Start.Format(time.DateOnly))
	case days/7 > hs.Clock.Weeks:
		return h.fail("%s ends on %s, before this scenario's start, %s: its weeks must reach the start", h.path, end.Format(time.DateOnly), sc.Clock.Start.Format(time.DateOnly))
	}
	d := days / 7
	past, cfg := hs.config, sc.config
	if past.Geography != cfg.Geography && past.Geography == nil {
		return h.fail("%s's groups are not on the states (no territory or economy), this scenario's are: give the history a territory", h.path)
	}
	if cfg.WarmUpWeeks = past.WarmUpWeeks + d; cfg.WarmUpWeeks > MaxWeeks+MaxWeeks {
		return h.fail("a warm-up of %d weeks is too long", cfg.WarmUpWeeks)
	}
	cfg.LateEconomy = cfg.Economy != nil && past.Economy == nil
	cfg.LatePolicy = cfg.Policy != nil && past.Policy == nil
	var ivs []model.Intervention
	for _, iv := range past.Interventions {
		if iv.From >= d {
			continue // after the branch point
		}
		iv.From -= d
		iv.To = min(iv.To, d) - d
		if iv.RampUntil != 0 {
			iv.RampUntil = min(iv.RampUntil-d, iv.To)
		}
		ivs = append(ivs, iv)
	}
	cfg.Interventions = append(ivs, cfg.Interventions...)
	sc.config = cfg
	sc.history = h
	if _, err := sc.NewWorld(); err != nil {
		return h.fail("%v", err)
	}
	return nil
}

// historySHA256 is the checksum of a scenario on a history: of the scenario as run and
// the history's, so that a changed history is never taken for the one a run used.
func historySHA256(source []byte, h *scenarioHistory) string {
	sum := sha256.New()
	sum.Write(source)
	fmt.Fprintf(sum, "\x00world.history %s sha256 %s", h.path, h.sc.SHA256)
	return hex.EncodeToString(sum.Sum(nil))
}

// dropKey removes key from mapping n.
func dropKey(n *yaml.Node, key string) {
	for j := 0; j+1 < len(n.Content); j += 2 {
		if n.Content[j].Value == key {
			n.Content = append(n.Content[:j:j], n.Content[j+2:]...)
			return
		}
	}
}

// setKey sets key's value in mapping n, which has the key.
func setKey(n *yaml.Node, key string, v *yaml.Node) {
	for j := 0; j+1 < len(n.Content); j += 2 {
		if n.Content[j].Value == key {
			n.Content[j+1] = v
			return
		}
	}
}

// deepCopy copies a tree, so that marking its lines leaves the original alone.
func deepCopy(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = deepCopy(k)
	}
	return &c
}
