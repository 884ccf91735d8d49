package bacrim_test

import (
	"fmt"

	"github.com/cartelsim/cartelsim/model/bacrim"
)

func ExampleLoad() {
	d, err := bacrim.Load()
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d groups, %d rivalry and %d alliance edges, trends %d-%d\n",
		len(d.Groups), len(d.Rivalries), len(d.Alliances), d.Trends[0].Year, d.Trends[len(d.Trends)-1].Year)
	// Output:
	// 150 groups, 127 rivalry and 130 alliance edges, trends 2012-2021
}
