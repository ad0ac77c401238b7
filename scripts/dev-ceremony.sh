#!/usr/bin/env bash
# Development trusted setup for one circuit: phase 1 (powers of tau sized to the circuit),
# phase 2 (BGM17: zkey new, two contributions, beacon), full verification, export.
# The outputs land in keys/dev/v1/<circuit>/ and are committed, so nothing here runs at
# install, start or test time. Dev keys are NOT production keys: entropy is local.
set -euo pipefail
cd "$(dirname "$0")/.."
circuit=${1:-transact}
version=${KEYS_VERSION:-v1}
build=build/circuits
cache=.cache/ptau
out=keys/dev/$version/$circuit
snarkjs="node node_modules/snarkjs/build/cli.cjs"
mkdir -p "$cache" "$out"

[ -f "$build/$circuit.r1cs" ] || bash scripts/build-circuits.sh
constraints=$($snarkjs r1cs info "$build/$circuit.r1cs" | sed -n 's/.*# of Constraints: \([0-9]*\).*/\1/p')
publics=$($snarkjs r1cs info "$build/$circuit.r1cs" | sed -n 's/.*# of Public Inputs: \([0-9]*\).*/\1/p')
need=$((constraints + publics + 1))
power=1
while [ $((1 << power)) -lt "$need" ]; do power=$((power + 1)); done
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

work=$(mktemp -d)
$snarkjs groth16 setup "$build/$circuit.r1cs" "$ptau" "$work/${circuit}_0000.zkey"
$snarkjs zkey contribute "$work/${circuit}_0000.zkey" "$work/${circuit}_0001.zkey" --name="paraloom dev phase2 #1" -e="$(rand)" | tee "$work/c1.log"
$snarkjs zkey contribute "$work/${circuit}_0001.zkey" "$work/${circuit}_0002.zkey" --name="paraloom dev phase2 #2" -e="$(rand)" | tee "$work/c2.log"
beacon=$(rand)
$snarkjs zkey beacon "$work/${circuit}_0002.zkey" "$work/${circuit}_final.zkey" "$beacon" 10 -n="paraloom dev phase2 beacon" | tee "$work/b.log"
$snarkjs zkey verify "$build/$circuit.r1cs" "$ptau" "$work/${circuit}_final.zkey" | tee "$work/verify.log"
$snarkjs zkey export verificationkey "$work/${circuit}_final.zkey" "$out/verification_key.json"

cp "$work/${circuit}_final.zkey" "$out/$circuit.zkey"
cp "$build/${circuit}_js/$circuit.wasm" "$out/$circuit.wasm"
cp "$build/$circuit.r1cs" "$out/$circuit.r1cs"
sha() { sha256sum "$1" | cut -d' ' -f1; }
node -e '
const [circuit, power, ptauHash, r1cs, z0, z1, z2, zf, beacon, c1, c2, b, constraints] = process.argv.slice(1);
const hashOf = (log) => (require("fs").readFileSync(log, "utf8").match(/Contribution Hash:\s*([0-9a-f\s]+)/i) || [,""])[1].replace(/\s+/g, " ").trim();
const t = {
  format: "paraloom-dev-ceremony/1",
  warning: "development keys: local entropy, not for production",
  circuit, constraints: Number(constraints), r1cs_sha256: r1cs,
  phase1: { power: Number(power), ptau_sha256: ptauHash, contributions: 1, beacon_iterations_exp: 10 },
  phase2: [
    { step: "zkey new", zkey_sha256: z0 },
    { step: "contribute", name: "paraloom dev phase2 #1", contribution_hash: hashOf(c1), zkey_sha256: z1 },
    { step: "contribute", name: "paraloom dev phase2 #2", contribution_hash: hashOf(c2), zkey_sha256: z2 },
    { step: "beacon", beacon_hex: beacon, iterations_exp: 10, contribution_hash: hashOf(b), zkey_sha256: zf },
  ],
  created_at: new Date().toISOString(),
};
process.stdout.write(JSON.stringify(t, null, 2) + "\n");
' "$circuit" "$power" "$(sha "$ptau")" "$(sha "$build/$circuit.r1cs")" \
  "$(sha "$work/${circuit}_0000.zkey")" "$(sha "$work/${circuit}_0001.zkey")" "$(sha "$work/${circuit}_0002.zkey")" "$(sha "$work/${circuit}_final.zkey")" \
  "$beacon" "$work/c1.log" "$work/c2.log" "$work/b.log" "$constraints" > "$out/transcript.json"
(cd "$out" && sha256sum "$circuit.wasm" "$circuit.zkey" "$circuit.r1cs" verification_key.json transcript.json > SHA256SUMS)
rm -rf "$work"
echo "dev keys written to $out"
