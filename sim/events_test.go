package sim

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// kingpinHistory is the kingpin history's first two years (104 weeks; its campaigns cut
// to them), where leaders are removed and groups split.
func kingpinHistory(t *testing.T, replicates int) *scenario.Scenario {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("..", "scenarios", "history", "2006-kingpin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text = regexp.MustCompile(`(?m)^.*from: 20(12|18)-12-02.*\n`).ReplaceAll(text, nil) // the later campaigns
	short := strings.NewReplacer("weeks: 734", "weeks: 104", "to: 2012-12-02", "to: 2008-11-30")
	text = []byte(short.Replace(string(text)))
	sc, err := scenario.ParseScenario("kingpin.yaml", text)
	if err != nil {
		t.Fatal(err)
	}
	sc.Replicates = replicates
	return sc
}

// events.csv logs replicate 0 by default and every replicate with AllEvents, in
// replicate order and, within one, by week; each row's date is the end of its week
// (start + 7 x week days), and a split names the faction it created, which lineage.csv
// records as born that week of that parent.
func TestEventsLogReplicateZeroOrAll(t *testing.T) {
	sc := kingpinHistory(t, 3)
	for _, all := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "out")
		if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 2, AllEvents: all, AllLineages: true}); err != nil {
			t.Fatal(err)
		}
		rows := readCSV(t, filepath.Join(dir, EventsFile))
		if got := strings.Join(rows[0], ","); got != strings.TrimSpace(eventsHeader) {
			t.Fatalf("header %q", got)
		}
		born := map[string]bool{} // replicate, id, parent, born week
		for _, row := range readCSV(t, filepath.Join(dir, LineageFile))[1:] {
			born[row[0]+","+row[1]+","+row[2]+","+row[3]] = true
		}
		seen := map[string]int{}
		lastRep, lastWeek, splits := 0, 0, 0
		for _, row := range rows[1:] {
			rep, _ := strconv.Atoi(row[0])
			week, _ := strconv.Atoi(row[1])
			if rep < lastRep || rep == lastRep && week < lastWeek {
				t.Fatalf("row %v out of order", row)
			}
			lastRep, lastWeek = rep, week
			seen[row[0]]++
			if want := sc.Clock.Start.AddDate(0, 0, 7*week).Format(time.DateOnly); row[2] != want {
				t.Errorf("row %v: date %s, want %s", row, row[2], want)
			}
			if row[3] == "split" {
				splits++
				if !born[row[0]+","+row[6]+","+row[4]+","+row[1]] {
					t.Errorf("row %v: lineage.csv has no faction %s of %s born in week %s", row, row[6], row[4], row[1])
				}
			}
			if row[4] == "" {
				t.Errorf("row %v names no group", row)
			}
		}
		if splits == 0 || seen["0"] == 0 {
			t.Fatalf("all=%v: %d splits, replicates %v: nothing to check", all, splits, seen)
		}
		if want := map[bool]int{false: 1, true: 3}[all]; len(seen) != want {
			t.Errorf("all=%v: events of %d replicates (%v), want %d", all, len(seen), seen, want)
		}
	}
}

// events.csv has the same bytes for any worker count, resumed, and merged from shards.
func TestEventsIdenticalAcrossWorkersResumeAndShards(t *testing.T) {
	sc := kingpinHistory(t, 6)
	opts := RunOptions{Workers: 3, AllEvents: true}
	want := filepath.Join(t.TempDir(), "want")
	opts.OutDir = want
	if _, err := Execute(context.Background(), sc, opts); err != nil {
		t.Fatal(err)
	}
	resumed := filepath.Join(t.TempDir(), "resumed")
	opts = RunOptions{OutDir: resumed, Workers: 1, AllEvents: true, CheckpointEvery: -1}
	interruptAt(t, sc, opts, 2)
	opts.Resume = true
	if _, err := Execute(context.Background(), sc, opts); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, want, resumed)
	root := t.TempDir()
	var dirs []string
	for k := range 2 {
		dir := filepath.Join(root, strconv.Itoa(k))
		dirs = append(dirs, dir)
		if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 2, Shard: k, Shards: 2, AllEvents: true}); err != nil {
			t.Fatal(err)
		}
	}
	merged := filepath.Join(root, "merged")
	if _, err := Merge(dirs, MergeOptions{OutDir: merged}); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, want, merged)
	// Resuming with another events setting is refused.
	opts.AllEvents = false
	opts.OutDir = filepath.Join(t.TempDir(), "other")
	interruptAt(t, sc, RunOptions{OutDir: opts.OutDir, Workers: 1, AllEvents: true, CheckpointEvery: -1}, 2)
	if _, err := Execute(context.Background(), sc, opts); err == nil || !strings.Contains(err.Error(), "events setting") {
		t.Errorf("resumed without --events: %v", err)
	}
}

// Interrupted while it logs the events, after its last replicate, a run keeps every
// replicate in its checkpoint and, resumed, writes the outputs of an uninterrupted run.
func TestInterruptedWhileLoggingEventsResumes(t *testing.T) {
	sc := kingpinHistory(t, 3)
	want := filepath.Join(t.TempDir(), "want")
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: want, Workers: 2, AllEvents: true}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	opts := RunOptions{OutDir: dir, Workers: 2, AllEvents: true, CheckpointEvery: -1}
	ie := interruptAt(t, sc, opts, 3)
	if ie.Done != 3 {
		t.Errorf("the checkpoint keeps %d replicates, want 3", ie.Done)
	}
	if _, err := os.Stat(filepath.Join(dir, EventsFile)); err == nil {
		t.Error("the interrupted run left an events.csv")
	}
	opts.Resume = true
	if _, err := Execute(context.Background(), sc, opts); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, want, dir)
}

// A world that can log no event (the paper's core: no group dynamics, economy or policy)
// writes events.csv's header alone, without simulating anything again: even under a
// cancelled context, which a replay would report.
func TestEventsOfAWorldThatLogsNone(t *testing.T) {
	sc, err := scenario.LoadScenario(filepath.Join("..", "scenarios", "prieto-curiel-2023", "baseline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	world, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	if world.LogsEvents() {
		t.Fatal("the paper's core world says it logs events")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var b strings.Builder
	if err := writeEvents(ctx, &b, sc, world, 4, 2); err != nil {
		t.Fatalf("writeEvents: %v", err)
	}
	if b.String() != eventsHeader {
		t.Errorf("events.csv = %q, want the header alone", b.String())
	}
	dyn := kingpinHistory(t, 1)
	if w, err := dyn.NewWorld(); err != nil || !w.LogsEvents() {
		t.Errorf("the kingpin history: LogsEvents false (%v)", err)
	}
}
