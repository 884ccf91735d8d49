package sim

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// EventsFile is the event log of a run: leadership removals, splits, successions,
// strikes and ceasefires, of replicate 0 (of every replicate with RunOptions.AllEvents).
const EventsFile = "events.csv"

const eventsHeader = "replicate,week,date,kind,group,state,other,value,value2\n"

// replayer watches one replicate re-simulated by replay: week after each week's step,
// with its national metrics, then done once its weeks are over.
type replayer interface {
	week(r *model.Replicate, wk int, national []float64)
	done(r *model.Replicate) error
}

// replay re-simulates the given replicates of a world exactly as a run does (the same
// stream, ReplicateRNG(seed, r), the same steps), with the event log on, which changes
// no random draw, and hands each to its own replayer (watch(i) for replicates[i]), over
// workers goroutines. The results do not depend on the workers: each replicate is
// simulated by one of them, from its own stream. It returns the error of the lowest
// replicate that failed, or ctx's.
func replay(ctx context.Context, w *model.World, weeks int, seed uint64, replicates []int, workers int, watch func(i int) replayer) error {
	workers = max(1, min(ensemble.WorkerCount(workers), len(replicates)))
	var (
		next   atomic.Int64
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed = len(replicates)
		first  error
	)
	fail := func(i int, err error) {
		mu.Lock()
		defer mu.Unlock()
		if i < failed {
			failed, first = i, err
		}
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := w.NewReplicate()
			r.RecordEvents(true)
			out := make([]float64, model.NumMetrics)
			for {
				i := int(next.Add(1) - 1)
				if i >= len(replicates) || ctx.Err() != nil {
					return
				}
				rep := replicates[i]
				rng := rand.New(ensemble.ReplicatePCG(seed, rep))
				r.Reset(rng)
				v := watch(i)
				for wk := 1; wk <= weeks && r.Err() == nil; wk++ {
					if wk%64 == 0 && ctx.Err() != nil {
						return
					}
					r.Step(wk, rng, out)
					v.week(r, wk, out)
				}
				if err := r.Err(); err != nil {
					fail(i, fmt.Errorf("sim: replicate %d: %w", rep, err))
					continue
				}
				if err := v.done(r); err != nil {
					fail(i, err)
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return first
}

// eventLog keeps one replicate's events, with its lineage to name the groups.
type eventLog struct {
	events  []model.Event
	lineage []model.LineageRecord
}

func (*eventLog) week(*model.Replicate, int, []float64) {}

func (l *eventLog) done(r *model.Replicate) error {
	l.events = append([]model.Event(nil), r.Events()...)
	l.lineage = append([]model.LineageRecord(nil), r.Lineage()...)
	return nil
}

// writeEvents writes events.csv: the events of replicate 0, or of every replicate, in
// replicate order and, within one, in the order the model logged them (by week). A group
// is named by its lineage ID as lineage.csv names it, a state by its ISO 3166-2 code
// without the country prefix; other is the second group (a split's new faction, a
// ceasefire's other party), value and value2 the kind's quantities (a strike's labs
// destroyed and civilian casualties).
func writeEvents(ctx context.Context, w io.Writer, sc *scenario.Scenario, world *model.World, replicates, workers int) error {
	var reps []int
	if world.LogsEvents() { // otherwise there is nothing to log, nor to replay: the file is its header
		reps = make([]int, replicates)
		for i := range reps {
			reps[i] = i
		}
	}
	logs := make([]*eventLog, len(reps))
	if len(reps) > 0 {
		err := replay(ctx, world, sc.Clock.Weeks, sc.Seed, reps, workers, func(i int) replayer {
			logs[i] = &eventLog{}
			return logs[i]
		})
		if err != nil {
			return err
		}
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(eventsHeader)
	geo := world.Geography()
	group := func(l *eventLog, k int) string {
		if k < 0 || k >= len(l.lineage) {
			return ""
		}
		return CSVField(world.LineageID(l.lineage, k))
	}
	for rep, l := range logs {
		for _, ev := range l.events {
			state := ""
			if geo != nil && ev.State >= 0 && ev.State < geo.Len() {
				state = CSVField(geo.States[ev.State].Code)
			}
			bw.WriteString(strconv.Itoa(rep) + "," + strconv.Itoa(ev.Week) + "," + sc.Clock.Date(ev.Week).Format(time.DateOnly) + "," +
				ev.Kind.String() + "," + group(l, ev.Group) + "," + state + "," + group(l, ev.Other) + "," +
				formatFloat(ev.Value) + "," + formatFloat(ev.Value2) + "\n")
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sim: writing %s: %w", EventsFile, err)
	}
	return nil
}
