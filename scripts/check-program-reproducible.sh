#!/usr/bin/env bash
# Rebuilds the on-chain program from source and fails unless the result equals the committed .so byte
# for byte, so the binary the project runs is always the one its C source produces.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-19 >/dev/null; then
  echo "check-program: clang-19 missing, installing it" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update
  $SUDO apt-get install -y clang-19
fi
COMMITTED=programs/paraloom/paraloom.so
[ -f "$COMMITTED" ] || { echo "check-program: $COMMITTED is missing" >&2; exit 1; }
REBUILT="$(mktemp --suffix=.so)"
trap 'rm -f "$REBUILT"' EXIT
bash scripts/build-program.sh "$REBUILT"
if cmp -s "$COMMITTED" "$REBUILT"; then
  echo "check-program: $COMMITTED is reproducible ($(sha256sum "$COMMITTED" | cut -d' ' -f1))"
else
  echo "check-program: $COMMITTED differs from a fresh build of programs/paraloom/src" >&2
  echo "  committed: $(sha256sum "$COMMITTED" | cut -d' ' -f1)" >&2
  echo "  rebuilt:   $(sha256sum "$REBUILT" | cut -d' ' -f1)" >&2
  echo "  run 'npm run build:program' and commit the result" >&2
  exit 1
fi
