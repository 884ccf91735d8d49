//go:build amd64.v3

package ensemble

// amd64v3: at GOAMD64=v3 the compiler fuses the libraries' Go code too.
const amd64v3 = true
