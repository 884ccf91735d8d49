#!/usr/bin/env bash
# Cross-builds: every package, tests included, builds and passes go vet for linux, darwin
# and windows on amd64 and arm64 (what students and clusters run). No cgo, so no C
# toolchain is needed; the tests themselves run on linux only (make test).
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
for goos in linux darwin windows; do
	for goarch in amd64 arm64; do
		echo "cross: $goos/$goarch: go build ./... && go vet ./..." >&2
		GOOS=$goos GOARCH=$goarch go build ./...
		GOOS=$goos GOARCH=$goarch go vet ./...
	done
done
echo "cross: ok: linux, darwin and windows on amd64 and arm64 build and vet clean" >&2
