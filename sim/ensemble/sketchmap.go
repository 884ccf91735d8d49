package ensemble

import (
	"bytes"
	"fmt"
	"math"

	enc "github.com/DataDog/sketches-go/ddsketch/encoding"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/pb/sketchpb"

	"github.com/cartelsim/cartelsim/internal/fpmath"
)

// portableMapping is sketches-go's default index mapping (mapping.LogarithmicMapping,
// index offset 0) computed with internal/fpmath and explicit rounding: its bucket of a
// value, and the value of a bucket, are then the same on every platform, where the
// library's, through Go's math.Log and math.Exp and a multiply-add the compiler may fuse,
// are not. On linux/amd64 it gives the library's indexes and values (tested), so the
// quantiles are unchanged there.
type portableMapping struct {
	gamma, multiplier          float64
	minIndexable, maxIndexable float64
}

// The library's constants (ddsketch/mapping/index_mapping.go).
const (
	sketchExpOverflow      = 7.094361393031e+02 // where math.Exp overflows
	sketchMinNormalFloat64 = 2.2250738585072014e-308
)

func newPortableMapping(relativeAccuracy float64) *portableMapping {
	gamma := (1 + relativeAccuracy) / (1 - relativeAccuracy)
	multiplier := 1 / fpmath.Log(gamma)
	return &portableMapping{
		gamma:        gamma,
		multiplier:   multiplier,
		minIndexable: math.Max(fpmath.Exp(math.MinInt32/multiplier+1), float64(sketchMinNormalFloat64*gamma)),
		maxIndexable: math.Min(fpmath.Exp(math.MaxInt32/multiplier-1), float64(fpmath.Exp(sketchExpOverflow)/(2*gamma))*(gamma+1)),
	}
}

func (m *portableMapping) Equals(other mapping.IndexMapping) bool {
	o, ok := other.(*portableMapping)
	return ok && m.gamma == o.gamma
}

func (m *portableMapping) Index(value float64) int {
	index := float64(fpmath.Log(value) * m.multiplier)
	if index >= 0 {
		return int(index)
	}
	return int(index) - 1
}

func (m *portableMapping) Value(index int) float64 {
	return float64(m.LowerBound(index) * (1 + m.RelativeAccuracy()))
}

func (m *portableMapping) LowerBound(index int) float64 {
	return fpmath.Exp(float64(index) / m.multiplier)
}

func (m *portableMapping) RelativeAccuracy() float64  { return 1 - 2/(1+m.gamma) }
func (m *portableMapping) MinIndexableValue() float64 { return m.minIndexable }
func (m *portableMapping) MaxIndexableValue() float64 { return m.maxIndexable }

func (m *portableMapping) ToProto() *sketchpb.IndexMapping {
	return &sketchpb.IndexMapping{Gamma: m.gamma, IndexOffset: 0, Interpolation: sketchpb.IndexMapping_NONE}
}

func (m *portableMapping) EncodeProto(builder *sketchpb.IndexMappingBuilder) {
	builder.SetGamma(m.gamma)
	builder.SetIndexOffset(0)
	builder.SetInterpolation(uint64(sketchpb.IndexMapping_NONE))
}

func (m *portableMapping) Encode(b *[]byte) {
	enc.EncodeFlag(b, enc.FlagIndexMappingBaseLogarithmic)
	enc.EncodeFloat64LE(b, m.gamma)
	enc.EncodeFloat64LE(b, 0)
}

func (m *portableMapping) String() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "gamma: %v, indexOffset: 0\n", m.gamma)
	return b.String()
}

var _ mapping.IndexMapping = (*portableMapping)(nil)
