package ensemble

import "math/rand/v2"

// ReplicateRNG returns replicate r's own random stream for master seed s. Results depend
// only on (scenario, seed, replicate). Both PCG words pass through SplitMix64 so that
// neighbouring replicates do not start from neighbouring generator states.
func ReplicateRNG(seed uint64, replicate int) *rand.Rand {
	return rand.New(ReplicatePCG(seed, replicate))
}

// ReplicatePCG is ReplicateRNG's generator, which a branched run copies by value to
// restart the stream from a shared past.
func ReplicatePCG(seed uint64, replicate int) *rand.PCG {
	s1 := splitMix64(seed)
	return rand.NewPCG(s1, splitMix64(s1^uint64(replicate)))
}

// splitMix64 is the finaliser of Steele, Lea & Flood's SplitMix64 (OOPSLA 2014), a
// bijection on 64-bit words with good avalanche.
func splitMix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
