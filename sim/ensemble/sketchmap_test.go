package ensemble

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"golang.org/x/sys/cpu"
)

// The portable mapping is the library's default: on linux/amd64 with FMA at GOAMD64 below
// v3 (where the published quantiles were computed, and the library's Go code is not
// fused) it gives the library's bucket for every value and the library's value for every
// bucket, so it changes no published quantile. Elsewhere (tested under qemu for arm64)
// it gives those same bits, which the library does not.
func TestPortableMappingIsTheLibrarysDefault(t *testing.T) {
	lib, err := mapping.NewDefaultMapping(QuantileAccuracy)
	if err != nil {
		t.Fatal(err)
	}
	ours := newPortableMapping(QuantileAccuracy)
	if ours.RelativeAccuracy() != lib.RelativeAccuracy() {
		t.Errorf("relative accuracy %v, the library's %v", ours.RelativeAccuracy(), lib.RelativeAccuracy())
	}
	if !ours.Equals(newPortableMapping(QuantileAccuracy)) || ours.Equals(lib) {
		t.Error("Equals")
	}
	if runtime.GOARCH != "amd64" || !(cpu.X86.HasAVX && cpu.X86.HasFMA) || amd64v3 {
		t.Skip("the library is the reference only on amd64 with FMA below GOAMD64=v3")
	}
	if ours.MinIndexableValue() != lib.MinIndexableValue() || ours.MaxIndexableValue() != lib.MaxIndexableValue() {
		t.Errorf("indexable %v to %v, the library's %v to %v", ours.MinIndexableValue(), ours.MaxIndexableValue(), lib.MinIndexableValue(), lib.MaxIndexableValue())
	}
	rng := rand.New(rand.NewPCG(3, 2026))
	for range 300_000 {
		// Deviations from a centre: any magnitude a metric's can take, and small ones.
		v := math.Exp(rng.Float64()*80 - 40)
		if rng.IntN(2) == 0 {
			v = rng.Float64() * 1000
		}
		if v < lib.MinIndexableValue() {
			continue
		}
		if got, want := ours.Index(v), lib.Index(v); got != want {
			t.Fatalf("Index(%v) = %d, the library's %d", v, got, want)
		}
		k := rng.IntN(8000) - 4000
		if got, want := ours.Value(k), lib.Value(k); got != want {
			t.Fatalf("Value(%d) = %v, the library's %v", k, got, want)
		}
	}
}
