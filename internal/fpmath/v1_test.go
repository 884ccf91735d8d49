//go:build !amd64.v3

package fpmath

const stdlibFused = false
