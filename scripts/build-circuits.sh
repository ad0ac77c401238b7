#!/usr/bin/env bash
# Compiles circuits/*.circom with the npm circom2 (WebAssembly) compiler into build/circuits/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/circuits
mkdir -p "$out"
for src in circuits/*.circom; do
  name=$(basename "$src" .circom)
  npx circom2 "$src" --O2 --r1cs --wasm --sym -l node_modules/circomlib/circuits -o "$out" >"$out/$name.compile.log"
  grep -E "non-linear constraints|public inputs|private inputs|wires" "$out/$name.compile.log" | sed "s/^/$name: /"
done
