#!/usr/bin/env bash
# The same bytes everywhere: regenerates every published figure and table with a
# GOAMD64=v3 build (which may fuse x*y+z into FMA instructions) and with a linux/arm64
# build run under qemu-user (arm64 always may), and fails if any differs from its
# checksum in seeds/figures.json. Installs qemu-user (Debian) when it is missing and this
# runs as root. Takes minutes: the arm64 run is emulated.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CGO_ENABLED=0

# GOAMD64=v3: AVX2, BMI2 and FMA. A v3 binary refuses to start on an older processor.
if [ "$(go env GOHOSTARCH)" = amd64 ] && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && grep -qw bmi2 /proc/cpuinfo; then
	echo "platforms: GOAMD64=v3: cartelsim figures --check" >&2
	GOAMD64=v3 go build -o "$tmp/cartelsim-v3" ./cmd/cartelsim
	"$tmp/cartelsim-v3" version
	"$tmp/cartelsim-v3" figures --out "$tmp/v3" --check --quiet
	echo "platforms: GOAMD64=v3: every published output matches its checksum" >&2
else
	echo "platforms: skipping GOAMD64=v3: this is not an amd64 machine with AVX2, BMI2 and FMA" >&2
fi

# linux/arm64 under qemu-user: the figures test, every figure (CARTELSIM_LONG_TESTS=1).
qemu=$(command -v qemu-aarch64 || command -v qemu-aarch64-static || true)
if [ -z "$qemu" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "platforms: installing qemu-user" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user >/dev/null
	qemu=$(command -v qemu-aarch64 || true)
fi
if [ -z "$qemu" ]; then
	echo "platforms: FAIL: no qemu-aarch64 (Debian: apt-get install qemu-user)" >&2
	exit 1
fi
echo "platforms: linux/arm64 under $(basename "$qemu"): TestPublishedFiguresReproduce, every figure" >&2
GOOS=linux GOARCH=arm64 go test -c -o "$tmp/sim-arm64.test" ./sim/figures/
(cd sim/figures && CARTELSIM_LONG_TESTS=1 "$qemu" "$tmp/sim-arm64.test" -test.run '^TestPublishedFiguresReproduce$' -test.count 1 -test.timeout 120m -test.v)
echo "platforms: ok: GOAMD64=v3 and linux/arm64 reproduce the published checksums" >&2
