//go:build !amd64.v3

package sim

const amd64v3 = false
