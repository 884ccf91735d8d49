# cartelsim: the two commands a new user needs are `make run` and `make test`.
GO       ?= go
SCENARIO ?= scenarios/prieto-curiel-2023/baseline.yaml
OUT      ?= out/baseline
FUZZTIME ?= 60s

.PHONY: run history labs figures test slurm-test bench fuzz build clean

## run: the default scenario (the paper's baseline, 400 stochastic replicates) with plots
run:
	@echo "building cartelsim (the first build compiles the dependencies: a minute or two)"
	$(GO) run ./cmd/cartelsim run $(SCENARIO) --out $(OUT) --force

## history: the 2006-2020 histories with and without kingpin campaigns, with plots
history:
	$(GO) run ./cmd/cartelsim run scenarios/history/2006-kingpin.yaml --out out/2006-kingpin --force
	$(GO) run ./cmd/cartelsim run scenarios/history/2006-no-kingpin.yaml --out out/2006-no-kingpin --force

## eventstudy: the event study of Lindo & Padilla-Romo (2018) on the kingpin history, 40
## replicates (seconds on two cores), into out/eventstudy/run and out/eventstudy/study;
## copies its plot to docs/eventstudy-kingpin.png and writes its numbers into
## docs/space.md ("The event study against the record"): the docs' only source for them
.PHONY: eventstudy maps
ES = out/eventstudy
eventstudy:
	$(GO) run ./cmd/cartelsim run scenarios/history/2006-kingpin.yaml -n 40 --out $(ES)/run --force
	$(GO) run ./cmd/cartelsim eventstudy $(ES)/run --out $(ES)/study
	cp $(ES)/study/plots/eventstudy.png docs/eventstudy-kingpin.png
	$(GO) run ./tools/eventstudy-doc -csv $(ES)/study/eventstudy.csv -doc docs/space.md

## maps: the maps of that run for the README and docs/space.md: the homicide rate in 2020
## (which the run draws) and the dominant groups at the end of 2010 and 2020
maps: eventstudy
	$(GO) run ./cmd/cartelsim map $(ES)/run --metric dominant_group --year 2010
	$(GO) run ./cmd/cartelsim map $(ES)/run --metric dominant_group --year 2020
	cp $(ES)/run/plots/map_homicide_rate_2020.png docs/map-homicide-rate-2020.png
	cp $(ES)/run/plots/map_dominant_group_2010.png docs/map-dominant-2010.png
	cp $(ES)/run/plots/map_dominant_group_2020.png docs/map-dominant-2020.png

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

## policy: the scenario library compared (scenarios/policy): kingpin, demand and recruitment
## reduction; joint and unilateral airstrikes; shock and awe then ceasefires, and the
## cooperation package; the escalation ladder, raids, tariffs and designation (docs/us-side.md);
## each against the status quo; strikes on boats and naval interdiction against the status quo
## with the sea lanes open; at the start of 2027, 2030 and 2034.
## Then the library over plausible futures (experiments/policy-robustness.yaml: the
## calibrated posterior and the assumptions it leaves open), its robustness and two
## scenario discoveries (where kingpin raises homicides by more than 30% in 2029, where
## joint strikes cut US overdose deaths by more than 2% in 2026; a condition that holds in
## no future is reported and skipped: `-`), and tools/policy-questions writes the answers,
## with a discovery for each policy, into docs/results.md ("Policy questions").
## seeds/figures.json pins its outputs: the comparisons, and the experiment's tables,
## robustness and two discoveries (its policy-robustness- entries), which cartelsim figures
## regenerates with these commands' arguments and checks byte for byte.
## docs/results.md gives the time it takes.
HORIZONS = --horizon 2027-01-03 --horizon 2030-01-06 --horizon 2034-01-01
P = scenarios/policy
PR = out/policy-robustness
policy:
	$(GO) run ./cmd/cartelsim compare $(P)/status-quo.yaml $(P)/kingpin.yaml $(P)/demand-reduction.yaml $(P)/anti-recruitment.yaml $(HORIZONS) --out out/compare-policy --force
	$(GO) run ./cmd/cartelsim compare $(P)/status-quo.yaml $(P)/airstrikes-joint.yaml $(P)/airstrikes-unilateral.yaml $(HORIZONS) --out out/compare-strikes --force --metrics cooperation,extraditions,labs,labs_abroad,supply,price,civilian_casualties,retaliation
	$(GO) run ./cmd/cartelsim compare $(P)/status-quo.yaml $(P)/shock-and-awe-enforced.yaml $(P)/shock-and-awe-unenforced.yaml $(P)/cooperation-package.yaml $(HORIZONS) --out out/compare-ceasefire --force --metrics homicides,supply,truces,members,cooperation,guns
	$(GO) run ./cmd/cartelsim compare $(P)/status-quo-sea.yaml $(P)/boat-strikes.yaml $(P)/naval-interdiction.yaml $(HORIZONS) --out out/compare-sea --force --metrics supply,price,sea_shipments,deaths_at_sea,overdose_deaths,labs_abroad,cooperation,retaliation
	$(GO) run ./cmd/cartelsim compare $(P)/status-quo.yaml $(P)/airstrikes-unilateral.yaml $(P)/escalation-ladder.yaml $(P)/escalation-withdraw.yaml $(P)/special-forces-raids.yaml $(P)/tariffs.yaml $(P)/tariffs-backlash.yaml $(P)/designation.yaml $(HORIZONS) --out out/compare-escalation --force --metrics homicides,cooperation,retaliation,us_casualties,supply,overdose_deaths
	$(GO) run ./cmd/cartelsim experiment experiments/policy-robustness.yaml --out $(PR) --force --quiet
	$(GO) run ./cmd/cartelsim robustness $(PR) --quiet
	-$(GO) run ./cmd/cartelsim discover $(PR) --policy kingpin --output homicides_2029 --above 30 --relative --out $(PR)/discovery/kingpin-raises-homicides-30pct-2029 --quiet
	-$(GO) run ./cmd/cartelsim discover $(PR) --policy airstrikes-joint --output overdose_deaths_2026 --below -2 --relative --out $(PR)/discovery/strikes-cut-overdoses-2pct-2026 --quiet
	$(GO) run ./tools/policy-questions -exp $(PR) -doc docs/results.md

## experiment: the example experiment (experiments/strikes-rebuild.yaml): joint airstrikes
## against the status quo over a 5 x 5 grid of rebuild time x strike intensity, with plots
## of the supply effect (a few minutes on two cores)
.PHONY: experiment
experiment:
	$(GO) run ./cmd/cartelsim experiment experiments/strikes-rebuild.yaml --out out/strikes-rebuild --force

## calibrate-us: the US overdose mechanism fitted to the CDC's synthetic-opioid deaths of
## 2013-2021 (calibrations/us-overdose.yaml, docs/us-side.md), about six minutes on two
## cores; its posterior, summary and bands are copied to calibrations/us-overdose/ (the
## registry's defaults are its best particle) and its band to docs/us-overdose-fit.png.
.PHONY: calibrate-us
calibrate-us:
	$(GO) run ./cmd/cartelsim calibrate calibrations/us-overdose.yaml --out out/calibrate-us --force
	mkdir -p calibrations/us-overdose
	cp out/calibrate-us/posterior.csv out/calibrate-us/summary.csv out/calibrate-us/predictive.csv out/calibrate-us/calibration.json calibrations/us-overdose/
	cp out/calibrate-us/plots/predictive_overdose_deaths.png docs/us-overdose-fit.png

## calibrate-smoke: the calibrator end to end on the kingpin history (calibrations/
## history-2006.yaml: a dozen particles, two generations; seconds on two cores)
.PHONY: calibrate-smoke
calibrate-smoke:
	$(GO) run ./cmd/cartelsim calibrate calibrations/history-2006.yaml --out out/calibrate-smoke --force

## sensitivity-smoke: the Sobol design of the policy library (experiments/sensitivity-policy-
## smoke.yaml: eight parameters at N = 2 base points, 120 replicates) and cartelsim sensitivity
## over it, end to end: well under a minute on two cores. The full design (N = 256,
## experiments/sensitivity-policy.yaml), and the one with the calibrated posterior as one
## factor (experiments/sensitivity-calibrated.yaml), take 25 to 45 minutes each: docs/sensitivity.md
.PHONY: sensitivity-smoke
sensitivity-smoke:
	$(GO) run ./cmd/cartelsim experiment experiments/sensitivity-policy-smoke.yaml --out out/sensitivity-smoke --force
	$(GO) run ./cmd/cartelsim sensitivity out/sensitivity-smoke

## calibrate: the calibration of the 2006-2024 history (calibrations/mexico-2006.yaml:
## replenishment ABC-SMC, 300 particles of two replicates, up to sixteen generations) into
## out/calibrate-mexico-2006, its posterior, summary and bands copied to
## calibrations/mexico-2006/ (docs/calibration.md gives its time on two cores)
.PHONY: calibrate
CAL = out/calibrate-mexico-2006
calibrate:
	$(GO) run ./cmd/cartelsim calibrate calibrations/mexico-2006.yaml --out $(CAL) --force --workers 2
	mkdir -p calibrations/mexico-2006
	cp $(CAL)/posterior.csv $(CAL)/summary.csv $(CAL)/predictive.csv $(CAL)/calibration.json calibrations/mexico-2006/
	$(GO) run ./tools/history-fit -posterior calibrations/mexico-2006/posterior.csv

## history-fit: the calibrated history and its counterfactual, 200 replicates each, each
## pair of replicates at a parameter set drawn from the posterior (the posterior-predictive
## band), against every target of data/targets/mexico-2007-2024.csv (out/history-fit/
## fit.csv and homicides.png); and at the scenario's point estimate, into
## out/history-fit-medians/, whose homicides.png is copied to
## docs/figures/mexico-2006-homicides.png
.PHONY: history-fit
history-fit:
	$(GO) run ./tools/history-fit -replicates 200 -workers 2 -draws calibrations/mexico-2006/posterior.csv -out out/history-fit
	$(GO) run ./tools/history-fit -replicates 200 -workers 2 -out out/history-fit-medians
	cp out/history-fit-medians/homicides.png docs/figures/mexico-2006-homicides.png

## test: the README's test command: vet, then every test (fuzz targets run on their seed
## corpus; the published figures and the signal test in their short form). A few minutes
## on two cores; the first build compiles the dependencies first, for a minute or two.
TESTTIMEOUT ?= 20m
test:
	@echo "building (the first build compiles the dependencies: a minute or two)"
	$(GO) build ./...
	$(GO) vet ./...
	$(GO) test -timeout $(TESTTIMEOUT) ./...

## test-long: what CI runs besides: every published figure regenerated against its
## checksum, the signal test on every shard (each takes minutes), the calibrator's
## conjugate posterior with 6,000 particles (about a minute), and its recovery of a
## synthetic truth through the 2006-2021 history (minutes)
.PHONY: test-long
test-long:
	CARTELSIM_LONG_TESTS=1 $(GO) test -count=1 -timeout 60m -run 'TestPublishedFiguresReproduce|TestSignalledRunsResumeToIdenticalOutputs|TestRecoversConjugatePosterior|TestRecoversHistorySyntheticTruth' ./sim/figures/ ./cmd/cartelsim/ ./calibrate/
	# the closed-form sensitivity tests at the recommended N = 4,096 (seconds)
	CARTELSIM_LONG_TESTS=1 $(GO) test -count=1 -run 'TestSobol|TestMorris' ./sensitivity/

## report-browser: cartelsim report's page in headless Chromium: no console message, and the
## screenshot shows the plots (installs Debian's chromium when absent, as root)
.PHONY: report-browser
report-browser:
	GO=$(GO) bash .ci/report-browser.sh

## cross: build and vet every package for linux, darwin and windows on amd64 and arm64
## fma-check: fail on any fused multiply-add (x*y+z) on the module's lines in a GOAMD64=v3
## or linux/arm64 build (needs llvm-objdump: apt-get install llvm)
## platforms: every published figure regenerated by a GOAMD64=v3 build and by a
## linux/arm64 build under qemu-user against its checksum (installs qemu-user as root)
.PHONY: cross fma-check platforms
cross:
	bash .ci/cross.sh
fma-check:
	bash .ci/fma-check.sh
platforms:
	bash .ci/platforms.sh

## slurm-test: as root, a 4-shard Slurm job array and merge against one run (installs Slurm)
slurm-test:
	bash .ci/slurm-test.sh

## bench: the speed benchmarks (compare runs with benchstat)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./model/ ./sim/

## fuzz: every fuzz target of the repository (func FuzzX in a _test.go file), each for
## FUZZTIME: go test fuzzes one target of one package at a time
## (FUZZMINIMIZETIME bounds the minimising of each new input, which otherwise stalls
## the search for up to a minute at a time)
FUZZMINIMIZETIME ?= 100x
FUZZ_FILES = grep -rlE --include='*_test.go' --exclude-dir=testdata --exclude-dir=.git '^func Fuzz[A-Za-z0-9_]*\([A-Za-z_]+ \*testing\.F\)' .
fuzz:
	@set -e; for file in $$($(FUZZ_FILES)); do \
		for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)([A-Za-z_]* \*testing\.F).*/\1/p' $$file); do \
			echo "$(GO) test -run '^$$' -fuzz '^$$target\$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $$(dirname $$file)/"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $$(dirname $$file)/; \
		done; \
	done

## fuzz-ci: what CI runs: every fuzz target for 10s
.PHONY: fuzz-ci
fuzz-ci:
	$(MAKE) fuzz FUZZTIME=10s

build:
	$(GO) build -o cartelsim ./cmd/cartelsim

clean:
	rm -rf out cartelsim
