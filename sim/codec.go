package sim

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash"
	"io"
	"math"

	"github.com/DataDog/sketches-go/ddsketch/store"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// The binary layout of an ensemble's streaming statistics in a checkpoint.

// encoder writes little-endian numbers and keeps the first error.
type encoder struct {
	w   *bufio.Writer
	crc hash.Hash32
	buf [8]byte
	err error
}

func (e *encoder) bytes(b []byte) {
	if e.err != nil {
		return
	}
	e.crc.Write(b)
	_, e.err = e.w.Write(b)
}

func (e *encoder) u64(v uint64) {
	binary.LittleEndian.PutUint64(e.buf[:], v)
	e.bytes(e.buf[:])
}

func (e *encoder) f64(v float64) { e.u64(math.Float64bits(v)) }

func (e *encoder) sum(s *exactSum) {
	n := s.canonical()
	lo, hi := 0, sumChunks
	for lo < hi && n[lo] == 0 {
		lo++
	}
	for hi > lo && n[hi-1] == 0 {
		hi--
	}
	e.u64(uint64(lo))
	e.u64(uint64(hi - lo))
	for _, c := range n[lo:hi] {
		e.u64(uint64(c))
	}
}

func (e *encoder) store(s store.Store) {
	var bins []float64 // index, count pairs
	s.ForEach(func(index int, count float64) bool {
		bins = append(bins, float64(index), count)
		return false
	})
	e.u64(uint64(len(bins) / 2))
	for _, v := range bins {
		e.f64(v)
	}
}

func (e *encoder) ensemble(ens *Ensemble) {
	for i := range ens.cells {
		c := &ens.cells[i]
		e.u64(uint64(c.n))
		e.f64(c.min)
		e.f64(c.max)
		e.sum(&c.sum)
		e.sum(&c.sumsq)
		e.u64(uint64(len(c.exact)))
		for _, x := range c.exact {
			e.f64(x)
		}
		centred := uint64(0)
		if c.centred {
			centred = 1
		}
		e.u64(centred)
		e.f64(c.centre)
		e.f64(c.tiny)
		if c.sketch == nil {
			e.u64(0)
			continue
		}
		e.u64(1)
		e.f64(c.sketch.GetZeroCount())
		e.store(c.sketch.GetPositiveValueStore())
		e.store(c.sketch.GetNegativeValueStore())
	}
	for _, v := range ens.votes {
		e.f64(v)
	}
}

// decoder reads what encoder wrote and keeps the first error; sizes are bounded so a
// corrupted file cannot ask for unbounded memory.
type decoder struct {
	r   *bufio.Reader
	buf [8]byte
	err error
}

var errCorrupt = errors.New("corrupt")

func (d *decoder) bytes(n int) []byte {
	if d.err != nil || n < 0 {
		d.err = firstErr(d.err, errCorrupt)
		return nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.err = err
		return nil
	}
	return b
}

// firstErr is a, or b when a is nil.
func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (d *decoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	if _, err := io.ReadFull(d.r, d.buf[:]); err != nil {
		d.err = err
		return 0
	}
	return binary.LittleEndian.Uint64(d.buf[:])
}

func (d *decoder) f64() float64 { return math.Float64frombits(d.u64()) }

// count reads a length of at most limit.
func (d *decoder) count(limit uint64) int {
	n := d.u64()
	if n > limit {
		d.err = firstErr(d.err, errCorrupt)
		return 0
	}
	return int(n)
}

func (d *decoder) sum(s *exactSum) {
	lo := d.count(sumChunks)
	n := d.count(uint64(sumChunks - lo))
	var whole [sumChunks]int64
	for i := range n {
		whole[lo+i] = int64(d.u64())
	}
	s.setWhole(&whole)
}

func (d *decoder) store(s store.Store) {
	n := d.count(1 << 20)
	for range n {
		index, count := d.f64(), d.f64()
		if d.err == nil {
			s.AddWithCount(int(index), count)
		}
	}
}

func (d *decoder) ensemble(weeks, metrics int, idle []string, annex, votes int) *Ensemble {
	ens := newVotingEnsemble(weeks, metrics, idle, annex, votes)
	if len(ens.idleNames()) != len(idle) {
		d.err = firstErr(d.err, errCorrupt)
		return nil
	}
	defer func() {
		if len(ens.cells) > 0 {
			ens.n = ens.cells[0].n
		}
	}()
	for i := range ens.cells {
		if d.err != nil {
			return nil
		}
		c := &ens.cells[i]
		c.n = d.count(scenario.MaxReplicates)
		c.min, c.max = d.f64(), d.f64()
		d.sum(&c.sum)
		d.sum(&c.sumsq)
		c.exact = c.exact[:d.count(ExactQuantileLimit)] // newEnsemble made room for them
		for k := range c.exact {
			c.exact[k] = d.f64()
		}
		c.centred = d.u64() == 1
		c.centre = d.f64()
		c.tiny = d.f64()
		if d.u64() == 1 {
			c.sketch = newSketch()
			if zero := d.f64(); zero > 0 {
				_ = c.sketch.AddWithCount(0, zero)
			}
			d.store(c.sketch.GetPositiveValueStore())
			d.store(c.sketch.GetNegativeValueStore())
		}
	}
	for i := range ens.votes {
		ens.votes[i] = d.f64()
	}
	return ens
}
