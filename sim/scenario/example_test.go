package scenario_test

import (
	"fmt"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// A scenario error names the file, the line and the key.
func ExampleParseScenario() {
	_, err := scenario.ParseScenario("demo.yaml", []byte("start: 2012-01-01\nweeks: 52\nreplicates: lots\n"))
	fmt.Println(err)
	// Output:
	// demo.yaml:3: replicates: want a whole number, got "lots"
}
