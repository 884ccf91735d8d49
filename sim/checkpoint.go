package sim

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// CheckpointFile holds what a run needs to continue, or a finished shard's statistics:
// a JSON header (checkpointHeader) and the ensemble's streaming statistics, in a binary
// layout of its own, closed by a CRC-32 of everything before it.
const CheckpointFile = "checkpoint.bin"

const (
	checkpointMagic  = "CARTELSIM-CHECKPOINT\n"
	checkpointFormat = 3 // 2: the running totals of CumulativeMetrics, and the partial files' CRC-32s; 3: no idle metrics, exact values of the first replicates only
)

// checkpointHeader says which run a checkpoint belongs to and how far it got.
type checkpointHeader struct {
	Format      int              `json:"format"`
	Version     string           `json:"version"`
	Scenario    ManifestScenario `json:"scenario"`
	Seed        uint64           `json:"seed"`
	Replicates  int              `json:"replicates"` // of the whole run, all shards
	Mode        string           `json:"mode"`
	Weeks       int              `json:"weeks"`
	Metrics     int              `json:"metrics"`
	Shard       int              `json:"shard"`
	Shards      int              `json:"shards"` // 1 for an unsharded run
	AllLineages bool             `json:"all_lineages"`
	AllEvents   bool             `json:"all_events,omitempty"`
	// Idle names the metrics the world cannot produce, which the statistics do not hold.
	Idle []string `json:"idle,omitempty"`
	// StateCells is how many per-state values (StatePlan) the statistics hold after the
	// weeks': 0 in worlds without geography.
	StateCells int `json:"state_cells,omitempty"`
	// VoteCells is how many per-state votes (StatePlan) the statistics sum after those.
	VoteCells int    `json:"vote_cells,omitempty"`
	StartedAt string `json:"started_at"`
	// Done is how many of the run's replicates (the shard's, in order) are folded: the
	// set done is the first Done of them.
	Done int `json:"done"`
	// ReplicatesBytes and LineageBytes are the lengths of the partial CSV files that
	// hold exactly the replicates done.
	ReplicatesBytes int64 `json:"replicates_bytes"`
	LineageBytes    int64 `json:"lineage_bytes"`
	// ReplicatesCRC and LineageCRC are the CRC-32s (IEEE) of those bytes, so that the
	// checkpoint's own checksum covers the rows it vouches for.
	ReplicatesCRC uint32 `json:"replicates_crc"`
	LineageCRC    uint32 `json:"lineage_crc"`
	// FirstLineage is replicate 0's lineage, for the lineage tree, once folded here.
	FirstLineage []model.LineageRecord `json:"first_lineage,omitempty"`
}

// sameRun says why a checkpoint cannot continue or join the run h describes, or "".
func (h *checkpointHeader) sameRun(o *checkpointHeader) string {
	switch {
	case h.Format != o.Format || h.Version != o.Version:
		return fmt.Sprintf("it was written by cartelsim %s (format %d), this is %s (format %d)", o.Version, o.Format, h.Version, h.Format)
	case !slices.Equal(h.Scenario.Overrides, o.Scenario.Overrides):
		return fmt.Sprintf("it ran the scenario with %s, this run with %s", setList(o.Scenario.Overrides), setList(h.Scenario.Overrides))
	case h.Scenario.SHA256 != o.Scenario.SHA256:
		return fmt.Sprintf("its scenario file had sha256 %s, this one has %s", o.Scenario.SHA256, h.Scenario.SHA256)
	case h.Seed != o.Seed || h.Replicates != o.Replicates || h.Mode != o.Mode:
		return fmt.Sprintf("it is for seed %d, %d replicates, %s mode (asked: seed %d, %d replicates, %s mode)",
			o.Seed, o.Replicates, o.Mode, h.Seed, h.Replicates, h.Mode)
	case h.Weeks != o.Weeks || h.Metrics != o.Metrics:
		return fmt.Sprintf("it has %d weeks of %d metrics, this run %d of %d", o.Weeks, o.Metrics, h.Weeks, h.Metrics)
	case h.Shards != o.Shards:
		return fmt.Sprintf("it is one of %d shards, this run has %d", o.Shards, h.Shards)
	case h.AllLineages != o.AllLineages:
		return fmt.Sprintf("its lineage setting (all replicates: %v) differs", o.AllLineages)
	case h.AllEvents != o.AllEvents:
		return fmt.Sprintf("its events setting (all replicates: %v) differs", o.AllEvents)
	case h.StateCells != o.StateCells || h.VoteCells != o.VoteCells:
		return fmt.Sprintf("its per-state statistics hold %d values and %d votes, this run's %d and %d", o.StateCells, o.VoteCells, h.StateCells, h.VoteCells)
	case !slices.Equal(h.Idle, o.Idle):
		return fmt.Sprintf("its statistics leave out the metrics %v, this run %v", o.Idle, h.Idle)
	}
	return ""
}

// setList describes the overrides of a run: "--set a=1 --set b=2", or "no --set".
func setList(sets []string) string {
	if len(sets) == 0 {
		return "no --set"
	}
	return "--set " + strings.Join(sets, " --set ")
}

// writeCheckpoint writes a checkpoint atomically.
func writeCheckpoint(path string, h *checkpointHeader, ens *ensemble.Ensemble) error {
	return WriteFileAtomic(path, func(w io.Writer) error {
		head, err := json.Marshal(h)
		if err != nil {
			return err
		}
		e := &ensemble.Encoder{W: bufio.NewWriterSize(w, 1<<20), CRC: crc32.NewIEEE()}
		e.Bytes([]byte(checkpointMagic))
		e.U64(uint64(len(head)))
		e.Bytes(head)
		e.Ensemble(ens)
		sum := e.CRC.Sum32()
		e.U64(uint64(sum))
		if e.Err != nil {
			return e.Err
		}
		return e.W.Flush()
	})
}

// readCheckpoint reads a checkpoint's header and, unless headerOnly, its statistics.
func readCheckpoint(path string, headerOnly bool) (*checkpointHeader, *ensemble.Ensemble, error) {
	f, err := openRegular(path, os.O_RDONLY)
	if err != nil {
		return nil, nil, fmt.Errorf("sim: %w", err)
	}
	defer f.Close()
	bad := func(what string) error {
		return fmt.Errorf("sim: %s is not a usable cartelsim checkpoint (%s); delete it, or the whole directory, and start again", path, what)
	}
	// Check the CRC before decoding, so that a damaged file is never trusted for sizes.
	if ok, err := checksumOK(f); err != nil || !ok {
		return nil, nil, bad("truncated or corrupted: checksum mismatch")
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, nil, fmt.Errorf("sim: %w", err)
	}
	d := &ensemble.Decoder{R: bufio.NewReaderSize(f, 1<<20)}
	if string(d.Bytes(len(checkpointMagic))) != checkpointMagic || d.Err != nil {
		return nil, nil, bad("wrong magic")
	}
	n := d.U64()
	if d.Err != nil || n > 1<<26 {
		return nil, nil, bad("header")
	}
	var h checkpointHeader
	if err := json.Unmarshal(d.Bytes(int(n)), &h); err != nil || d.Err != nil {
		return nil, nil, bad("header")
	}
	if h.Format != checkpointFormat {
		return nil, nil, bad(fmt.Sprintf("format %d, want %d", h.Format, checkpointFormat))
	}
	if h.Weeks < 1 || h.Weeks > scenario.MaxWeeks || h.Metrics != int(model.NumMetrics) || h.StateCells < 0 || h.StateCells > ensemble.MaxStateCells || h.VoteCells < 0 || h.VoteCells > ensemble.MaxVoteCells {
		return nil, nil, bad("shape")
	}
	if headerOnly {
		return &h, nil, nil
	}
	ens := d.Ensemble(h.Weeks, h.Metrics, h.Idle, h.StateCells, h.VoteCells)
	d.U64() // the checksum, checked above
	if _, err := d.R.ReadByte(); d.Err != nil || err != io.EOF {
		return nil, nil, bad("its statistics do not fill the file as its header says")
	}
	return &h, ens, nil
}

// checksumOK says whether the file's last 8 bytes hold the CRC-32 of the rest.
func checksumOK(f *os.File) (bool, error) {
	st, err := f.Stat()
	if err != nil || st.Size() < 8 {
		return false, err
	}
	crc := crc32.NewIEEE()
	r := bufio.NewReaderSize(f, 1<<20)
	if _, err := io.CopyN(crc, r, st.Size()-8); err != nil {
		return false, err
	}
	var stored [8]byte
	if _, err := io.ReadFull(r, stored[:]); err != nil {
		return false, err
	}
	return binary.LittleEndian.Uint64(stored[:]) == uint64(crc.Sum32()), nil
}

// removeCheckpoint deletes a run's checkpoint once its outputs are complete.
func removeCheckpoint(dir string) error {
	err := os.Remove(filepath.Join(dir, CheckpointFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("sim: %w", err)
	}
	return nil
}
