package ensemble

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
type Encoder struct {
	W   *bufio.Writer
	CRC hash.Hash32
	buf [8]byte
	Err error
}

func (e *Encoder) Bytes(b []byte) {
	if e.Err != nil {
		return
	}
	e.CRC.Write(b)
	_, e.Err = e.W.Write(b)
}

func (e *Encoder) U64(v uint64) {
	binary.LittleEndian.PutUint64(e.buf[:], v)
	e.Bytes(e.buf[:])
}

func (e *Encoder) f64(v float64) { e.U64(math.Float64bits(v)) }

func (e *Encoder) sum(s *exactSum) {
	n := s.canonical()
	lo, hi := 0, sumChunks
	for lo < hi && n[lo] == 0 {
		lo++
	}
	for hi > lo && n[hi-1] == 0 {
		hi--
	}
	e.U64(uint64(lo))
	e.U64(uint64(hi - lo))
	for _, c := range n[lo:hi] {
		e.U64(uint64(c))
	}
}

func (e *Encoder) store(s store.Store) {
	var bins []float64 // index, count pairs
	s.ForEach(func(index int, count float64) bool {
		bins = append(bins, float64(index), count)
		return false
	})
	e.U64(uint64(len(bins) / 2))
	for _, v := range bins {
		e.f64(v)
	}
}

func (e *Encoder) Ensemble(ens *Ensemble) {
	for i := range ens.Cells {
		c := &ens.Cells[i]
		e.U64(uint64(c.n))
		e.f64(c.min)
		e.f64(c.max)
		e.sum(&c.sum)
		e.sum(&c.sumsq)
		e.U64(uint64(len(c.Exact)))
		for _, x := range c.Exact {
			e.f64(x)
		}
		centred := uint64(0)
		if c.centred {
			centred = 1
		}
		e.U64(centred)
		e.f64(c.Centre)
		e.f64(c.Tiny)
		if c.sketch == nil {
			e.U64(0)
			continue
		}
		e.U64(1)
		e.f64(c.sketch.GetZeroCount())
		e.store(c.sketch.GetPositiveValueStore())
		e.store(c.sketch.GetNegativeValueStore())
	}
	for _, v := range ens.Votes {
		e.f64(v)
	}
}

// decoder reads what encoder wrote and keeps the first error; sizes are bounded so a
// corrupted file cannot ask for unbounded memory.
type Decoder struct {
	R   *bufio.Reader
	buf [8]byte
	Err error
}

var errCorrupt = errors.New("corrupt")

func (d *Decoder) Bytes(n int) []byte {
	if d.Err != nil || n < 0 {
		d.Err = FirstErr(d.Err, errCorrupt)
		return nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(d.R, b); err != nil {
		d.Err = err
		return nil
	}
	return b
}

// FirstErr is a, or b when a is nil.
func FirstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (d *Decoder) U64() uint64 {
	if d.Err != nil {
		return 0
	}
	if _, err := io.ReadFull(d.R, d.buf[:]); err != nil {
		d.Err = err
		return 0
	}
	return binary.LittleEndian.Uint64(d.buf[:])
}

func (d *Decoder) f64() float64 { return math.Float64frombits(d.U64()) }

// count reads a length of at most limit.
func (d *Decoder) count(limit uint64) int {
	n := d.U64()
	if n > limit {
		d.Err = FirstErr(d.Err, errCorrupt)
		return 0
	}
	return int(n)
}

func (d *Decoder) sum(s *exactSum) {
	lo := d.count(sumChunks)
	n := d.count(uint64(sumChunks - lo))
	var whole [sumChunks]int64
	for i := range n {
		whole[lo+i] = int64(d.U64())
	}
	s.setWhole(&whole)
}

func (d *Decoder) store(s store.Store) {
	n := d.count(1 << 20)
	for range n {
		index, count := d.f64(), d.f64()
		if d.Err == nil {
			s.AddWithCount(int(index), count)
		}
	}
}

func (d *Decoder) Ensemble(weeks, metrics int, idle []string, annex, votes int) *Ensemble {
	ens := NewVotingEnsemble(weeks, metrics, idle, annex, votes)
	if len(ens.IdleNames()) != len(idle) {
		d.Err = FirstErr(d.Err, errCorrupt)
		return nil
	}
	defer func() {
		if len(ens.Cells) > 0 {
			ens.n = ens.Cells[0].n
		}
	}()
	for i := range ens.Cells {
		if d.Err != nil {
			return nil
		}
		c := &ens.Cells[i]
		c.n = d.count(scenario.MaxReplicates)
		c.min, c.max = d.f64(), d.f64()
		d.sum(&c.sum)
		d.sum(&c.sumsq)
		c.Exact = c.Exact[:d.count(ExactQuantileLimit)] // newEnsemble made room for them
		for k := range c.Exact {
			c.Exact[k] = d.f64()
		}
		c.centred = d.U64() == 1
		c.Centre = d.f64()
		c.Tiny = d.f64()
		if d.U64() == 1 {
			c.sketch = newSketch()
			if zero := d.f64(); zero > 0 {
				_ = c.sketch.AddWithCount(0, zero)
			}
			d.store(c.sketch.GetPositiveValueStore())
			d.store(c.sketch.GetNegativeValueStore())
		}
	}
	for i := range ens.Votes {
		ens.Votes[i] = d.f64()
	}
	return ens
}
