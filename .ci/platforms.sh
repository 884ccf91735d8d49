#!/usr/bin/env bash
# The same bytes everywhere: regenerates every published figure and table with a
# GOAMD64=v3 build (which may fuse x*y+z into FMA instructions) and with a linux/arm64
# build run under qemu-user (arm64 always may), and fails if any differs from its
# checksum in seeds/figures.json. Installs qemu-user (Debian) when it is missing and this
# runs as root. The arm64 run is emulated: about ten times the native CPU time, which
# `figures` spreads over every CPU (its runs and comparisons run several at a time).
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
	start=$(date +%s)
	"$tmp/cartelsim-v3" figures --out "$tmp/v3" --check --quiet
	echo "platforms: GOAMD64=v3: every published output matches its checksum ($(($(date +%s) - start)) s)" >&2
	rm -rf "$tmp/v3"
else
	echo "platforms: skipping GOAMD64=v3: this is not an amd64 machine with AVX2, BMI2 and FMA" >&2
fi

# linux/arm64 under qemu-user: the same command, every published output.
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
# The policy library's comparisons (policy-, strikes-, ceasefire-) are left out here: on
# the calibrated history's world they cost over a thousand CPU seconds natively, hours
# emulated. The GOAMD64=v3 check above covers them, with the same fused multiply-adds.
skip=(--skip policy- --skip strikes- --skip ceasefire-)
echo "platforms: linux/arm64 under $(basename "$qemu"): cartelsim figures --check ${skip[*]}" >&2
GOOS=linux GOARCH=arm64 go build -o "$tmp/cartelsim-arm64" ./cmd/cartelsim
"$qemu" "$tmp/cartelsim-arm64" version
start=$(date +%s)
"$qemu" "$tmp/cartelsim-arm64" figures --out "$tmp/arm64" --check --quiet "${skip[@]}"
echo "platforms: linux/arm64: every published output it checks matches its checksum ($(($(date +%s) - start)) s)" >&2
echo "platforms: ok: GOAMD64=v3 and linux/arm64 reproduce the published checksums" >&2
