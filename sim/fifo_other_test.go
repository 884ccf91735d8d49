//go:build !unix

package sim

import "testing"

func mkfifo(t *testing.T, _ string) { t.Skip("no named pipes on this system") }
