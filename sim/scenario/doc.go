// Package scenario reads and checks cartelsim's scenario files: YAML with a start date,
// a number of weeks, replicates, a seed, the world, its parameters and interventions.
// A file may extend another (extends:), and keys may be set on the command line
// (Override); a scenario as run keeps its source, so that a shard or a resumed run can
// read it back with the same sha256.
//
// Every problem is a ScenarioError that names the file, the line and the key, with a
// suggestion where a name is misspelt. Clock maps the scenario's weeks to dates.
//
// The package only reads and validates: it runs nothing and writes nothing. It builds a
// model.World (Scenario.NewWorld) for the packages that run it.
package scenario
