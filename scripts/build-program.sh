#!/usr/bin/env bash
# Builds programs/paraloom into programs/paraloom/paraloom.so with Debian clang-19 and the project's
# own SBF linker (tools/sbf-link). Deterministic: fixed flags, sorted inputs, no debug info or paths.
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG="${CLANG:-clang-19}"
OUT="${1:-programs/paraloom/paraloom.so}"
command -v "$CLANG" >/dev/null || { echo "build-program: $CLANG not found (apt-get install -y clang-19)" >&2; exit 1; }
OBJ="$(mktemp -d)"
trap 'rm -rf "$OBJ"' EXIT
CFLAGS=(-target bpf -mcpu=v2 -O2 -ffreestanding -fno-builtin -fno-addrsig -fno-ident -Wall -Wextra -Werror
  -Wno-unused-parameter -mllvm -bpf-stack-size=4096 -std=c11)
objs=()
for src in $(cd programs/paraloom/src && ls *.c | LC_ALL=C sort); do
  "$CLANG" "${CFLAGS[@]}" -c "programs/paraloom/src/$src" -o "$OBJ/${src%.c}.o"
  objs+=("$OBJ/${src%.c}.o")
done
npx --no-install tsx tools/sbf-link/cli.ts -o "$OUT" "${objs[@]}"
echo "build-program: wrote $OUT ($(wc -c <"$OUT") bytes, sha256 $(sha256sum "$OUT" | cut -c1-16))"
