#!/usr/bin/env bash
# Development trusted setup for one circuit: phase 1 (powers of tau sized to the circuit,
# cached in .cache/ptau), phase 2 with `paraloom ceremony` (zkey new, two contributions, beacon,
# full verification, export with transcript and SHA256SUMS).
# The outputs land in keys/dev/$KEYS_VERSION/<circuit>/ (default v1) and are committed, so nothing here runs at
# install, start or test time. Dev keys are NOT production keys: entropy is local.
set -euo pipefail
cd "$(dirname "$0")/.."
circuit=${1:-transact}
version=${KEYS_VERSION:-v1}
build=build/circuits
cache=.cache/ptau
# DEV_KEYS_OUT lets a re-run land beside the committed keys first (tests read those meanwhile).
out=${DEV_KEYS_OUT:-keys/dev/$version/$circuit}
snarkjs="node node_modules/snarkjs/build/cli.cjs"
mkdir -p "$cache" "$out"

[ -f "$build/$circuit.r1cs" ] || bash scripts/build-circuits.sh
constraints=$($snarkjs r1cs info "$build/$circuit.r1cs" | sed -n 's/.*# of Constraints: \([0-9]*\).*/\1/p')
publics=$($snarkjs r1cs info "$build/$circuit.r1cs" | sed -n 's/.*# of Public Inputs: \([0-9]*\).*/\1/p')
need=$((constraints + publics + 1))
power=1
while [ $((1 << power)) -lt "$need" ]; do power=$((power + 1)); done
# PTAU_POWER lets a smaller circuit reuse a larger cached phase-1 file (one phase 1 for all circuits).
if [ -n "${PTAU_POWER:-}" ]; then
  [ "$PTAU_POWER" -ge "$power" ] || { echo "PTAU_POWER=$PTAU_POWER is below the required $power" >&2; exit 1; }
  power=$PTAU_POWER
fi
echo "circuit $circuit: $constraints constraints, $publics public inputs -> ptau power $power"

rand() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
ptau=$cache/pot${power}_final.ptau
if [ ! -f "$ptau" ]; then
  $snarkjs powersoftau new bn128 "$power" "$cache/pot${power}_0000.ptau"
  $snarkjs powersoftau contribute "$cache/pot${power}_0000.ptau" "$cache/pot${power}_0001.ptau" --name="paraloom dev phase1 #1" -e="$(rand)"
  $snarkjs powersoftau beacon "$cache/pot${power}_0001.ptau" "$cache/pot${power}_beacon.ptau" "$(rand)" 10 -n="paraloom dev phase1 beacon"
  $snarkjs powersoftau prepare phase2 "$cache/pot${power}_beacon.ptau" "$ptau.tmp"
  mv "$ptau.tmp" "$ptau"
  rm -f "$cache/pot${power}_0000.ptau" "$cache/pot${power}_0001.ptau" "$cache/pot${power}_beacon.ptau"
fi

# Phase 2 through the project's ceremony tool, so the dev keys carry the same hash-chained
# transcript a public ceremony produces and `paraloom ceremony verify` audits them.
provenance="paraloom dev phase 1 (scripts/dev-ceremony.sh): snarkjs powersoftau new bn128 $power, one contribution with 32 bytes of /dev/urandom, beacon of 32 /dev/urandom bytes with 2^10 iterations, prepare phase2. Local entropy: development only."
paraloom="node bin/paraloom.js"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
$paraloom ceremony init "$build/$circuit.r1cs" --ptau "$ptau" --dir "$work" --min-contributions 2 \
  --ptau-provenance "$provenance"
$paraloom ceremony contribute --dir "$work" --name "paraloom dev phase2 #1"
$paraloom ceremony contribute --dir "$work" --name "paraloom dev phase2 #2"
$paraloom ceremony beacon "$(rand)" 10 --dir "$work" --name "paraloom dev phase2 beacon"
$paraloom ceremony finalize --dir "$work" --ptau "$ptau" --out "$out" --wasm "$build/${circuit}_js/$circuit.wasm"
# What an auditor runs: replay from the r1cs and phase-1 file, against the committed outputs only.
$paraloom ceremony verify --dir "$out" --ptau "$ptau"
echo "dev keys written to $out"
