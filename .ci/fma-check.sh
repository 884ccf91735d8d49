#!/usr/bin/env bash
# FMA check: lists every place in this module's code where the compiler fuses a
# multiplication and an addition (x*y + z) into one instruction, which rounds once where
# the default linux/amd64 build (GOAMD64=v1) rounds twice, and so changes the bytes of the
# outputs. It builds every command of the module for linux/amd64 at GOAMD64=v3 and for
# linux/arm64 (where most users who do not build for plain amd64 are; ppc64le, s390x and
# riscv64 fuse by the same rules), disassembles them, maps each fused
# instruction to its source line (go tool addr2line) and fails listing those in the
# module's own files. A site is fixed with an explicit rounding, float64(x*y) + z, which
# the Go specification guarantees is not fused, or math.FMA where fusion is meant (lines
# that call math.FMA are allowed). Fused instructions in the standard library and in
# dependencies are counted, not refused: they are not ours to change.
#
# Needs llvm-objdump (Debian: llvm, installed when missing and this runs as root), which
# disassembles both architectures.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
find_objdump() { command -v llvm-objdump || ls /usr/lib/llvm-*/bin/llvm-objdump 2>/dev/null | tail -n 1 || true; }
objdump=$(find_objdump)
if [ -z "$objdump" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "fma-check: installing llvm (for llvm-objdump)" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq llvm >/dev/null
	objdump=$(find_objdump)
fi
if [ -z "$objdump" ]; then
	echo "fma-check: needs llvm-objdump (apt-get install llvm)" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mains=$(go list -f '{{if eq .Name "main"}}{{.ImportPath}}{{end}}' ./...)
status=0
for target in amd64:v3 arm64:; do
	arch=${target%%:*}
	level=${target#*:}
	mkdir -p "$tmp/$arch"
	sites="$tmp/$arch.sites"
	: >"$sites"
	for pkg in $mains; do
		bin="$tmp/$arch/$(basename "$pkg")"
		GOOS=linux GOARCH=$arch GOAMD64=${level:-v1} go build -trimpath=false -o "$bin" "$pkg"
		# amd64: vfmadd231sd and kin; arm64: fmadd, fmsub, fnmadd, fnmsub (and vector fmla, fmls).
		"$objdump" -d --no-show-raw-insn "$bin" |
			grep -E '^\s*[0-9a-f]+:\s+(v?f(n)?m(add|sub)[0-9]*[ps][sdh]|f(n)?m(add|sub)|fml[as])\s' |
			awk '{sub(":", "", $1); print "0x" $1}' |
			go tool addr2line "$bin" | paste - - >>"$sites"
	done
	total=$(wc -l <"$sites")
	# Ours: a line of the module's source, not a test, that does not call math.FMA; or a
	# function of the module, where a dependency's inlined code fuses with it.
	while IFS=$'\t' read -r fn pos; do
		file=${pos%:*}
		line=${pos##*:}
		case $file in
		*_test.go) continue ;;
		"$root"/*) ;;
		*) case $fn in github.com/cartelsim/cartelsim/*) ;; *) continue ;; esac ;;
		esac
		text=$(sed -n "${line}p" "$file")
		case $text in *math.FMA\(*) continue ;; esac
		echo "${file#"$root"/}:$line: fused on $arch${level:+ (GOAMD64=$level)} in $fn: $(echo "$text" | sed 's/^[[:space:]]*//')"
	done < <(sort -u "$sites") | sort -u
	ours=$(awk -F'\t' -v r="$root/" 'index($2, r) == 1' "$sites" | sort -u | wc -l)
	echo "fma-check: linux/$arch${level:+ GOAMD64=$level}: $total fused instructions, $ours of them on lines of this module" >&2
done | tee "$tmp/report"
if grep -q ': fused on ' "$tmp/report"; then
	echo "fma-check: FAIL: the lines above are fused; round explicitly (float64(x*y) + z) or use math.FMA" >&2
	exit 1
fi
echo "fma-check: ok: no fused multiply-add on the module's lines (math.FMA calls aside)" >&2
