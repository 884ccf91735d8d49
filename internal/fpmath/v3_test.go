//go:build amd64.v3

package fpmath

// stdlibFused: at GOAMD64=v3 the compiler fuses Go's own math code too, so it is no
// longer the reference.
const stdlibFused = true
