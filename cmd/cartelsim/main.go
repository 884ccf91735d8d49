// Command cartelsim runs agent-based simulations of Mexican drug cartels under policy
// interventions. See README.md, or run cartelsim --help.
package main

import (
	"os"
)

func main() {
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}
