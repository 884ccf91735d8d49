//go:build !amd64.v3

package ensemble

const amd64v3 = false
