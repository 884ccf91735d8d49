package calibrate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"

	"github.com/cartelsim/cartelsim/internal/fpmath"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distmv"
)

// Simulator runs the model being calibrated.
type Simulator interface {
	// Simulate runs the model replicates times at the parameter values theta (in the
	// order of Config.Params), drawing every random number from seed, and returns each
	// replicate's value of each target: out[replicate][target]. The same arguments must
	// give the same values.
	Simulate(ctx context.Context, theta []float64, seed uint64, replicates int) ([][]float64, error)
}

// SimulatorFunc adapts a function to a Simulator.
type SimulatorFunc func(ctx context.Context, theta []float64, seed uint64, replicates int) ([][]float64, error)

// Simulate calls f.
func (f SimulatorFunc) Simulate(ctx context.Context, theta []float64, seed uint64, replicates int) ([][]float64, error) {
	return f(ctx, theta, seed, replicates)
}

// Param is a free parameter with its prior: uniform over [Lo, Hi], or, Log, uniform in
// the logarithm (log-uniform, Lo > 0).
type Param struct {
	Key    string
	Lo, Hi float64
	Log    bool
	Line   int // where the parameter is in the calibration file
}

// u maps a value to the scale on which its prior is uniform and the kernel perturbs it.
func (p Param) u(x float64) float64 {
	if p.Log {
		return fpmath.Log(x)
	}
	return x
}

func (p Param) x(u float64) float64 {
	if p.Log {
		return fpmath.Exp(u)
	}
	return u
}

// Prior names the parameter's prior as calibration files write it.
func (p Param) Prior() string {
	if p.Log {
		return "log-uniform"
	}
	return "uniform"
}

// Target is one observed value and the model output it is compared with.
type Target struct {
	Name        string // the target's series, e.g. homicides
	Year        int
	Observed    float64
	SD          float64 // its uncertainty, > 0: errors are standardised by it
	Metric      string  // a model metric
	Aggregation string  // sum, mean or end: see Aggregations
	Source      string
	Line        int // its row in the targets file
}

// Label is the target's name and year, e.g. homicides_2007.
func (t Target) Label() string { return fmt.Sprintf("%s_%d", t.Name, t.Year) }

// Distance names how far a simulation is from the data.
type Distance string

const (
	// SquaredZ is the sum over targets of the squared standardised error
	// ((simulated mean - observed) / sd)^2: a chi-squared discrepancy.
	SquaredZ Distance = "squared-z"
	// AbsoluteZ is the sum of the absolute standardised errors, less swayed by one
	// target far off.
	AbsoluteZ Distance = "absolute-z"
)

// Distances are the known distances.
var Distances = []Distance{SquaredZ, AbsoluteZ}

// Method names how a generation is filled.
type Method string

const (
	// Importance is Beaumont, Cornuet, Marin & Robert's ABC-SMC (Biometrika 96:983,
	// 2009): each particle is proposed from the previous generation's weighted particles
	// perturbed by a normal kernel until one falls within the tolerance, and weighted by
	// the prior over the kernel mixture's density. In many dimensions the weights can
	// collapse onto a few particles.
	Importance Method = "importance"
	// Replenishment is Drovandi & Pettitt's ABC-SMC (Biometrics 67:225, 2011): the
	// particles within the next tolerance survive as they are, and each of the others is
	// replaced by a copy of a survivor drawn uniformly, moved by R steps of ABC-MCMC (a
	// random-walk proposal, accepted when inside the prior and within the tolerance), R set
	// so that a copy stays unmoved with probability at most Unmoved at the previous
	// generation's acceptance rate. The weights stay equal: nothing collapses, and
	// the effective sample size counts distinct particles.
	Replenishment Method = "replenishment"
)

// Methods are the known methods.
var Methods = []Method{Importance, Replenishment}

// Config is a calibration: what is fitted to what, and how.
type Config struct {
	// Method is how generations after the first are filled (default Importance).
	Method Method
	// Unmoved is, for Replenishment, the largest probability that a replaced particle's
	// chain never moves (Drovandi & Pettitt's c; 0.01 by default).
	Unmoved  float64
	Params   []Param
	Targets  []Target
	Distance Distance
	// Noise adds to each target's simulated value an observation error drawn from a
	// normal of the target's sd before the distance is taken ("noisy ABC": Wilkinson
	// 2013, Stat. Appl. Genet. Mol. Biol. 12:129), so that as the tolerance falls to 0 the
	// posterior is the exact one of the model with that error, and the sds are the data's
	// uncertainty rather than only a scale. Without it, a model whose own randomness is
	// the error (as the tests' toy model's is) is compared as it is.
	Noise bool
	// Particles per generation, and replicates per particle: a particle's distance is
	// that of the replicates' mean of each target.
	Particles, Replicates int
	// Alpha is the quantile of the previous generation's distances that sets the next
	// tolerance, in (0, 1).
	Alpha float64
	// The stop rule: the final tolerance reached, a generation's acceptance rate below
	// MinAcceptance, or MaxGenerations generations.
	FinalTolerance float64
	MinAcceptance  float64
	MaxGenerations int
	// MaxAttempts bounds the proposals for one particle (those outside the prior's range
	// included): a generation in which a particle finds none within the tolerance in
	// MaxAttempts is abandoned and the run stops.
	MaxAttempts int
	Seed        uint64
}

// Validate checks the configuration's numbers (a calibration file's reader locates its
// problems; this guards the engine).
func (c *Config) Validate() error {
	switch {
	case len(c.Params) == 0:
		return errors.New("calibrate: no free parameters")
	case len(c.Targets) == 0:
		return errors.New("calibrate: no targets")
	case c.Particles < 2:
		return fmt.Errorf("calibrate: %d particles: want at least 2", c.Particles)
	case c.Replicates < 1:
		return fmt.Errorf("calibrate: %d replicates: want at least 1", c.Replicates)
	case !(c.Alpha > 0 && c.Alpha < 1):
		return fmt.Errorf("calibrate: alpha %v: want a number between 0 and 1", c.Alpha)
	case !(c.FinalTolerance >= 0) || math.IsInf(c.FinalTolerance, 0):
		return fmt.Errorf("calibrate: final tolerance %v: want a finite number from 0", c.FinalTolerance)
	case !(c.MinAcceptance >= 0 && c.MinAcceptance < 1):
		return fmt.Errorf("calibrate: minimum acceptance %v: want a number from 0 to below 1", c.MinAcceptance)
	case c.MaxGenerations < 1:
		return fmt.Errorf("calibrate: %d generations: want at least 1", c.MaxGenerations)
	case c.MaxAttempts < 1:
		return fmt.Errorf("calibrate: %d attempts: want at least 1", c.MaxAttempts)
	case !slices.Contains(Distances, c.Distance):
		return fmt.Errorf("calibrate: unknown distance %q", c.Distance)
	case c.Method != "" && !slices.Contains(Methods, c.Method):
		return fmt.Errorf("calibrate: unknown method %q", c.Method)
	case c.Method == Replenishment && !(c.Unmoved > 0 && c.Unmoved < 1):
		return fmt.Errorf("calibrate: unmoved probability %v: want a number between 0 and 1", c.Unmoved)
	}
	for _, p := range c.Params {
		if !(p.Lo < p.Hi) || math.IsInf(p.Lo, 0) || math.IsInf(p.Hi, 0) || (p.Log && p.Lo <= 0) {
			return fmt.Errorf("calibrate: parameter %s: bad range [%v, %v]", p.Key, p.Lo, p.Hi)
		}
	}
	for _, t := range c.Targets {
		if !(t.SD > 0) || math.IsInf(t.SD, 0) || math.IsNaN(t.Observed) || math.IsInf(t.Observed, 0) {
			return fmt.Errorf("calibrate: target %s: want a finite observed value and sd > 0", t.Label())
		}
	}
	return nil
}

// distance is how far the replicates' means are from the data; with Noise, each mean
// takes an observation error drawn from rng.
func (c *Config) distance(out [][]float64, rng *rand.Rand) float64 {
	var noise func(Target) float64
	if c.Noise {
		noise = func(tg Target) float64 { return float64(tg.SD * rng.NormFloat64()) }
	}
	return ZDistance(c.Targets, out, c.Distance, noise)
}

// ZDistance is how far the means of out's replicates (out[replicate][target]) are from the
// targets, by the distance dist (+Inf if it is not a number); noise, if not nil, adds an
// observation error to each target's mean, in the targets' order.
func ZDistance(targets []Target, out [][]float64, dist Distance, noise func(Target) float64) float64 {
	d := 0.0
	for t, tg := range targets {
		mean := 0.0
		for _, row := range out {
			mean += row[t]
		}
		mean /= float64(len(out))
		if noise != nil {
			mean += noise(tg)
		}
		z := (mean - tg.Observed) / tg.SD
		if dist == AbsoluteZ {
			d += math.Abs(z)
		} else {
			d += float64(z * z)
		}
	}
	if math.IsNaN(d) {
		return math.Inf(1)
	}
	return d
}

// Generation is one population of particles.
type Generation struct {
	Index     int
	Tolerance float64 // +Inf for generation 0, which keeps every draw from the prior
	// Attempts are the simulations run to fill the generation (proposals outside the
	// prior's range are not simulated and not counted).
	Attempts  int
	Theta     [][]float64 // [particle][parameter], on the parameters' own scale
	Weights   []float64   // normalised importance weights
	Distances []float64
	// Proposals and Moves are, for Replenishment, the MCMC steps the replaced particles
	// took (those outside the prior included) and the ones accepted; 0 otherwise.
	Proposals, Moves int
}

// AcceptanceRate is the particles kept per simulation run, or with Replenishment the
// MCMC steps accepted per step proposed.
func (g *Generation) AcceptanceRate() float64 {
	switch {
	case g.Proposals > 0:
		return float64(g.Moves) / float64(g.Proposals)
	case g.Attempts == 0: // every particle survived: nothing was run
		return 1
	}
	return float64(len(g.Theta)) / float64(g.Attempts)
}

// ESS is the effective sample size of the weights, 1 / sum(w^2) (Kish), with the weights
// of identical particles (the copies Replenishment leaves unmoved) added together first:
// copies are one draw, not several.
func (g *Generation) ESS() float64 {
	s := 0.0
	for i, w := range g.Weights {
		if slices.ContainsFunc(g.Theta[:i], func(th []float64) bool { return slices.Equal(th, g.Theta[i]) }) {
			continue // counted with its first copy
		}
		for j := i + 1; j < len(g.Theta); j++ {
			if slices.Equal(g.Theta[j], g.Theta[i]) {
				w += g.Weights[j]
			}
		}
		s += float64(w * w)
	}
	return 1 / s
}

// nextTolerance is the alpha-quantile of the generation's distances, not below the
// final tolerance.
func (c *Config) nextTolerance(g *Generation) float64 {
	d := slices.Clone(g.Distances)
	slices.Sort(d)
	return max(stat.Quantile(c.Alpha, stat.Empirical, d, nil), c.FinalTolerance)
}

// Stop says why the calibration stops after its last generation, or "".
func (c *Config) Stop(gens []*Generation) string {
	g := gens[len(gens)-1]
	switch {
	case g.Index > 0 && g.Tolerance <= c.FinalTolerance:
		return fmt.Sprintf("final tolerance %v reached", c.FinalTolerance)
	case g.Index > 0 && g.AcceptanceRate() < c.MinAcceptance:
		return fmt.Sprintf("acceptance rate %.4g below the minimum %v", g.AcceptanceRate(), c.MinAcceptance)
	case len(gens) >= c.MaxGenerations:
		return fmt.Sprintf("%d generations", c.MaxGenerations)
	}
	return ""
}

// simulate runs the simulator and checks that it returned a value of each target for
// each replicate.
func (c *Config) simulate(ctx context.Context, s Simulator, theta []float64, seed uint64) ([][]float64, error) {
	out, err := s.Simulate(ctx, theta, seed, c.Replicates)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 || len(out) > c.Replicates {
		return nil, fmt.Errorf("calibrate: the simulator returned %d replicates, want 1 to %d", len(out), c.Replicates)
	}
	for _, row := range out {
		if len(row) != len(c.Targets) {
			return nil, fmt.Errorf("calibrate: the simulator returned %d values for %d targets", len(row), len(c.Targets))
		}
	}
	return out, nil
}

// Stream tags keep the random streams of generations, of the posterior-predictive
// simulations and of anything later apart.
const predictiveStream = 1 << 30

// attemptRNG is the random stream of one attempt of one particle of one generation: the
// same whatever worker runs it, and when.
func attemptRNG(seed uint64, gen, particle, attempt int) *rand.Rand {
	s1 := splitMix64(seed ^ splitMix64(uint64(gen)))
	return rand.New(rand.NewPCG(s1, splitMix64(s1^(uint64(particle)<<32|uint64(uint32(attempt))))))
}

// splitMix64 is the finaliser of Steele, Lea & Flood's SplitMix64 (OOPSLA 2014).
func splitMix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// ErrAttemptCap is wrapped by the error of a generation abandoned because a particle
// used up its attempts.
var ErrAttemptCap = errors.New("calibrate: a particle found no proposal within the tolerance")

// parallel runs f(i) for i in [0, n) over workers goroutines and returns the error of
// the lowest i that failed, whatever the timing.
func parallel(ctx context.Context, n, workers int, f func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = f(i)
			}
		}()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}

// first draws generation 0 from the prior.
func (c *Config) first(ctx context.Context, s Simulator, workers int, led *ledger) (*Generation, error) {
	n := c.Particles
	g := &Generation{Index: 0, Tolerance: math.Inf(1), Attempts: n, Theta: make([][]float64, n),
		Weights: make([]float64, n), Distances: make([]float64, n)}
	err := parallel(ctx, n, workers, func(i int) error {
		g.Weights[i] = 1 / float64(n)
		if p, ok := led.done[i]; ok {
			g.Theta[i], g.Distances[i] = p.theta, p.distance
			return nil
		}
		rng := attemptRNG(c.Seed, 0, i, 0)
		theta := make([]float64, len(c.Params))
		for k, p := range c.Params {
			theta[k] = min(max(p.x(p.u(p.Lo)+float64(rng.Float64()*(p.u(p.Hi)-p.u(p.Lo)))), p.Lo), p.Hi)
		}
		out, err := c.simulate(ctx, s, theta, rng.Uint64())
		if err != nil {
			return err
		}
		g.Theta[i], g.Distances[i] = theta, c.distance(out, rng)
		return led.record(i, particle{attempts: 1, distance: g.Distances[i], theta: theta})
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// kernel is the perturbation kernel built from a generation: a normal with scale times
// its weighted covariance (on the parameters' uniform scale).
type kernel struct {
	chol  *mat.Cholesky
	inv   *mat.TriDense // L^-1, to measure distances in the kernel's metric
	u     [][]float64   // the generation's particles on the uniform scale
	cum   []float64     // cumulative weights, for drawing ancestors
	logW  []float64
	white [][]float64 // L^-1 u of each particle
}

func (c *Config) kernel(g *Generation, scale float64) (*kernel, error) {
	n, d := len(g.Theta), len(c.Params)
	k := &kernel{u: make([][]float64, n), cum: make([]float64, n), logW: make([]float64, n)}
	x := mat.NewDense(n, d, nil)
	freq := make([]float64, n) // weights as frequencies summing to n, as stat takes them
	total := 0.0
	for i, th := range g.Theta {
		k.u[i] = make([]float64, d)
		for j, p := range c.Params {
			k.u[i][j] = p.u(th[j])
		}
		x.SetRow(i, k.u[i])
		freq[i] = g.Weights[i] * float64(n)
		total += g.Weights[i]
		k.cum[i] = total
		k.logW[i] = fpmath.Log(g.Weights[i])
	}
	cov := mat.NewSymDense(d, nil)
	stat.CovarianceMatrix(cov, x, freq)
	// A degenerate population (every particle equal in some parameter) gets a floor of
	// a millionth of the prior's range, so the kernel can still move.
	for j, p := range c.Params {
		r := 1e-6 * (p.u(p.Hi) - p.u(p.Lo))
		floor := float64(r * r) // math.Pow(r, 2) gives the same: one rounded product
		if v := cov.At(j, j); !(v >= floor) {
			for l := range d {
				if l != j {
					cov.SetSym(j, l, 0)
				}
			}
			cov.SetSym(j, j, floor)
		}
	}
	cov.ScaleSym(scale, cov)
	k.chol = &mat.Cholesky{}
	if !k.chol.Factorize(cov) {
		// Perfectly correlated parameters: fall back to the diagonal.
		diag := mat.NewSymDense(d, nil)
		for j := range d {
			diag.SetSym(j, j, cov.At(j, j))
		}
		if !k.chol.Factorize(diag) {
			return nil, errors.New("calibrate: the perturbation kernel's covariance is not positive definite")
		}
	}
	var l mat.TriDense
	k.chol.LTo(&l)
	k.inv = &mat.TriDense{}
	if err := k.inv.InverseTri(&l); err != nil {
		return nil, fmt.Errorf("calibrate: perturbation kernel: %w", err)
	}
	k.white = make([][]float64, n)
	for i := range n {
		k.white[i] = k.whiten(k.u[i])
	}
	return k, nil
}

func (k *kernel) whiten(u []float64) []float64 {
	var z mat.VecDense
	z.MulVec(k.inv, mat.NewVecDense(len(u), slices.Clone(u)))
	return z.RawVector().Data
}

// ancestor draws a particle of the generation by weight (multinomial resampling).
func (k *kernel) ancestor(rng *rand.Rand) int {
	r := rng.Float64() * k.cum[len(k.cum)-1]
	// The first particle whose cumulative weight exceeds r: never one of weight 0.
	i := sort.Search(len(k.cum), func(i int) bool { return k.cum[i] > r })
	return min(i, len(k.cum)-1)
}

// logMixture is the log density, up to a constant, of the kernel mixture sum_j W_j
// K(u | u_j) at u, whitened as z: a log-sum-exp taken in one pass, in the order of j.
func (k *kernel) logMixture(z []float64) float64 {
	m, s := math.Inf(-1), 0.0
	for j, wj := range k.white {
		e := 0.0
		for l := range z {
			d := z[l] - wj[l]
			e += float64(d * d)
		}
		x := k.logW[j] - float64(e/2) // e/2 is compiled as e*0.5, which would fuse
		switch {
		case x <= m:
			s += fpmath.Exp(x - m)
		case math.IsInf(m, -1):
			m, s = x, 1
		default:
			s = float64(s*fpmath.Exp(m-x)) + 1
			m = x
		}
	}
	return m + fpmath.Log(s)
}

func logSumExp(xs []float64) float64 {
	m := slices.Max(xs)
	if math.IsInf(m, -1) {
		return m
	}
	s := 0.0
	for _, x := range xs {
		s += fpmath.Exp(x - m)
	}
	return m + fpmath.Log(s)
}

// inPrior maps a proposal on the kernel's scale to the parameters' own, clamped to the
// prior's range against rounding, and reports whether it lies within the prior's range.
func (c *Config) inPrior(u []float64) (theta []float64, inside bool) {
	for l, p := range c.Params {
		if !(u[l] >= p.u(p.Lo) && u[l] <= p.u(p.Hi)) {
			return nil, false
		}
	}
	theta = make([]float64, len(u))
	for l, p := range c.Params {
		theta[l] = min(max(p.x(u[l]), p.Lo), p.Hi)
	}
	return theta, true
}

// propose draws u, on the kernel's scale, from a normal about center with the kernel's
// covariance, and simulates it if it lies within the prior: its parameters on their own
// scale, its distance to the targets and whether it was simulated (a proposal outside the
// prior is not). The draws come from rng in a fixed order: the proposal, the simulation's
// seed, then the distance's observation error.
func (c *Config) propose(ctx context.Context, s Simulator, u, center []float64, k *kernel, rng *rand.Rand) (theta []float64, d float64, ran bool, err error) {
	distmv.NormalRand(u, center, k.chol, rng)
	theta, inside := c.inPrior(u)
	if !inside {
		return nil, 0, false, nil
	}
	out, err := c.simulate(ctx, s, theta, rng.Uint64())
	if err != nil {
		return nil, 0, false, err
	}
	return theta, c.distance(out, rng), true, nil
}

// next runs generation prev.Index+1 with the given tolerance.
func (c *Config) next(ctx context.Context, s Simulator, workers int, prev *Generation, tol float64, led *ledger) (*Generation, error) {
	if c.Method == Replenishment {
		return c.replenish(ctx, s, workers, prev, tol, led)
	}
	k, err := c.kernel(prev, 2) // Beaumont et al.'s twice the covariance
	if err != nil {
		return nil, err
	}
	n, t := c.Particles, prev.Index+1
	g := &Generation{Index: t, Tolerance: tol, Theta: make([][]float64, n), Weights: make([]float64, n),
		Distances: make([]float64, n)}
	attempts := make([]int, n)
	err = parallel(ctx, n, workers, func(i int) error {
		if p, ok := led.done[i]; ok {
			g.Theta[i], g.Distances[i], attempts[i] = p.theta, p.distance, p.attempts
			return nil
		}
		u := make([]float64, len(c.Params))
		for a := range c.MaxAttempts {
			rng := attemptRNG(c.Seed, t, i, a)
			theta, d, ran, err := c.propose(ctx, s, u, k.u[k.ancestor(rng)], k, rng)
			if err != nil {
				return err
			}
			if !ran {
				continue
			}
			attempts[i]++
			if d <= tol {
				g.Theta[i], g.Distances[i] = theta, d
				return led.record(i, particle{attempts: attempts[i], distance: d, theta: theta})
			}
		}
		return fmt.Errorf("%w in %d attempts (generation %d, particle %d, tolerance %.4g)", ErrAttemptCap, c.MaxAttempts, t, i, tol)
	})
	if err != nil {
		return nil, err
	}
	// The prior is uniform on the kernel's scale, so a particle's weight is 1 over the
	// kernel mixture's density at it.
	logw := make([]float64, n)
	for i := range n {
		g.Attempts += attempts[i]
	}
	err = parallel(ctx, n, workers, func(i int) error {
		u := make([]float64, len(c.Params))
		for l, p := range c.Params {
			u[l] = p.u(g.Theta[i][l])
		}
		logw[i] = -k.logMixture(k.whiten(u))
		return nil
	})
	if err != nil {
		return nil, err
	}
	norm := logSumExp(logw)
	for i := range logw {
		g.Weights[i] = fpmath.Exp(logw[i] - norm)
	}
	return g, nil
}

// replenish runs generation prev.Index+1 by Drovandi & Pettitt's replenishment (see
// Replenishment). Each replaced particle's chain has its own streams, so the generation
// is the same whatever the workers and their timing.
func (c *Config) replenish(ctx context.Context, s Simulator, workers int, prev *Generation, tol float64, led *ledger) (*Generation, error) {
	n, t, d := c.Particles, prev.Index+1, len(c.Params)
	survivors := &Generation{}
	var alive []int
	for i, dist := range prev.Distances {
		if dist <= tol {
			alive = append(alive, i)
			survivors.Theta = append(survivors.Theta, prev.Theta[i])
		}
	}
	if len(alive) == 0 { // a tolerance below every distance: none to copy
		return nil, fmt.Errorf("%w (generation %d: no particle within tolerance %.4g)", ErrAttemptCap, t, tol)
	}
	for range alive {
		survivors.Weights = append(survivors.Weights, 1/float64(len(alive)))
	}
	// The random walk's covariance is the survivors' times 2.38^2/d, the scaling of
	// Roberts, Gelman & Gilks (Ann. Appl. Probab. 7:110, 1997) for a d-dimensional target.
	k, err := c.kernel(survivors, float64(2.38*2.38)/float64(d))
	if err != nil {
		return nil, err
	}
	steps := c.mcmcSteps(prev)
	g := &Generation{Index: t, Tolerance: tol, Theta: make([][]float64, n), Weights: make([]float64, n),
		Distances: make([]float64, n)}
	attempts, moves := make([]int, n), make([]int, n)
	err = parallel(ctx, n, workers, func(i int) error {
		g.Weights[i] = 1 / float64(n)
		if prev.Distances[i] <= tol {
			g.Theta[i], g.Distances[i] = prev.Theta[i], prev.Distances[i]
			return nil
		}
		if p, ok := led.done[i]; ok {
			g.Theta[i], g.Distances[i], attempts[i], moves[i] = p.theta, p.distance, p.attempts, p.moves
			return nil
		}
		// The copy's survivor comes from a stream no step uses (the steps use 0..steps-1).
		j := alive[attemptRNG(c.Seed, t, i, steps).IntN(len(alive))]
		theta, dist := prev.Theta[j], prev.Distances[j]
		cur, u := make([]float64, d), make([]float64, d)
		for l, p := range c.Params {
			cur[l] = p.u(theta[l])
		}
		for a := range steps {
			rng := attemptRNG(c.Seed, t, i, a)
			prop, pd, ran, err := c.propose(ctx, s, u, cur, k, rng)
			if err != nil {
				return err
			}
			if !ran { // the prior's density is 0 there: rejected without a simulation
				continue
			}
			attempts[i]++
			// The prior is uniform on this scale and the walk symmetric, so the
			// Metropolis-Hastings ratio is 1 within the tolerance and 0 outside it.
			if pd <= tol {
				theta, dist = prop, pd
				copy(cur, u)
				moves[i]++
			}
		}
		g.Theta[i], g.Distances[i] = theta, dist
		return led.record(i, particle{attempts: attempts[i], moves: moves[i], distance: dist, theta: theta})
	})
	if err != nil {
		return nil, err
	}
	for i := range n {
		g.Attempts += attempts[i]
		g.Moves += moves[i]
		if prev.Distances[i] > tol {
			g.Proposals += steps
		}
	}
	return g, nil
}

// mcmcSteps is R, the steps of each replaced particle's chain: the fewest with which a
// chain accepting a step with probability p stays unmoved with probability at most
// Unmoved, (1-p)^R <= Unmoved, at the previous generation's acceptance rate (at alpha
// after generation 0, whose particles were not moved), and at most MaxAttempts.
func (c *Config) mcmcSteps(prev *Generation) int {
	p := c.Alpha
	if prev.Proposals > 0 {
		p = prev.AcceptanceRate()
	}
	if p >= 1 {
		return 1
	}
	p = max(p, 1e-6)
	r := math.Ceil(fpmath.Log(c.Unmoved) / fpmath.Log1p(-p))
	return int(min(max(r, 1), float64(c.MaxAttempts)))
}
