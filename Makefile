# cartelsim: the two commands a new user needs are `make run` and `make test`.
GO       ?= go
SCENARIO ?= scenarios/prieto-curiel-2023/baseline.yaml
OUT      ?= out/baseline
FUZZTIME ?= 60s

.PHONY: run history labs figures test bench fuzz build clean

## run: the default scenario (the paper's baseline, 400 stochastic replicates) with plots
run:
	$(GO) run ./cmd/cartelsim run $(SCENARIO) --out $(OUT) --force

## history: the 2006-2020 histories with and without kingpin campaigns, with plots
history:
	$(GO) run ./cmd/cartelsim run scenarios/history/2006-kingpin.yaml --out out/2006-kingpin --force
	$(GO) run ./cmd/cartelsim run scenarios/history/2006-no-kingpin.yaml --out out/2006-no-kingpin --force

## labs: the 2025 world's baseline, airstrikes and demand-reduction scenarios, and plots
## comparing each intervention with the baseline
labs:
	$(GO) run ./cmd/cartelsim run scenarios/labs/baseline-2025.yaml --out out/baseline-2025 --force
	$(GO) run ./cmd/cartelsim run scenarios/labs/airstrikes-2026.yaml --out out/airstrikes-2026 --force
	$(GO) run ./cmd/cartelsim run scenarios/demand/demand-reduction-2026.yaml --out out/demand-reduction-2026 --force
	$(GO) run ./tools/overlay -out out/compare-airstrikes -metrics labs,labs_abroad,labs_pacific,supply,price,civilian_casualties out/baseline-2025 out/airstrikes-2026
	$(GO) run ./tools/overlay -out out/compare-demand -metrics price,revenue,recruits,members,labs,deaths out/baseline-2025 out/demand-reduction-2026

## figures: regenerate every published figure and table of seeds/figures.json into
## out/figures and fail if one differs from its checksum (after a deliberate model
## change: go run ./cmd/cartelsim figures --update)
figures:
	$(GO) run ./cmd/cartelsim figures --out out/figures --check

## test: what CI runs: vet, then every test (fuzz targets run on their seed corpus)
test:
	$(GO) vet ./...
	$(GO) test ./...

## bench: the speed benchmarks (compare runs with benchstat)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./model/ ./sim/

## fuzz: each fuzz target for FUZZTIME
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseScenario$$' -fuzztime $(FUZZTIME) ./sim/

build:
	$(GO) build -o cartelsim ./cmd/cartelsim

clean:
	rm -rf out cartelsim
