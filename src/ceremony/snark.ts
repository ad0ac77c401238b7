import * as snarkjs from 'snarkjs';
import { bytesToHex } from '../common/index.js';
import { CeremonyError } from './errors.js';
import { type CeremonyIO, SnarkjsLog } from './progress.js';

// Thin adapters over snarkjs' BGM17 phase 2. Nothing here does curve arithmetic: it maps snarkjs'
// return conventions (-1, false, logger lines) to CeremonyError codes and parses what it reports.

export type ZkeyRef = string | snarkjs.MemFile;

function wrap(step: string, e: unknown): CeremonyError {
  if (e instanceof CeremonyError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new CeremonyError('SNARKJS_FAILED', `${step}: ${msg}`, { step }, { cause: e });
}

/** `zkey new`: the initial (contribution-free) zkey; returns snarkjs' circuit hash. */
export async function newZkey(r1cs: string, ptau: string, out: ZkeyRef, io?: CeremonyIO): Promise<string> {
  const log = new SnarkjsLog('zkey new', io);
  let res: Uint8Array | number;
  try {
    res = await snarkjs.zKey.newZKey(r1cs, ptau, out, log);
  } catch (e) {
    throw wrap('zkey new', e);
  }
  if (typeof res === 'number') {
    const why = log.errors.join('; ');
    const code = /too big/.test(why)
      ? 'PTAU_TOO_SMALL'
      : /not prepared/.test(why)
        ? 'PTAU_NOT_PREPARED'
        : 'PTAU_INVALID';
    throw new CeremonyError(code, `zkey new refused: ${why}`, { r1cs, ptau });
  }
  return bytesToHex(res);
}

export async function contributeZkey(
  input: string,
  output: string,
  name: string,
  entropy: string,
  io?: CeremonyIO,
): Promise<string> {
  try {
    return bytesToHex(
      await snarkjs.zKey.contribute(input, output, name, entropy, new SnarkjsLog('contribute', io)),
    );
  } catch (e) {
    throw wrap('contribute', e);
  }
}

export async function beaconZkey(
  input: string,
  output: string,
  name: string,
  beaconHex: string,
  iterationsExp: number,
  io?: CeremonyIO,
): Promise<string> {
  const log = new SnarkjsLog('beacon', io);
  let res: Uint8Array | false;
  try {
    res = await snarkjs.zKey.beacon(input, output, name, beaconHex, iterationsExp, log);
  } catch (e) {
    throw wrap('beacon', e);
  }
  if (res === false) throw new CeremonyError('BEACON_INVALID', log.errors.join('; ') || 'beacon refused');
  return bytesToHex(res);
}

/** One phase-2 contribution as snarkjs' verifier reports it from inside the zkey. */
export interface ZkeyContribution {
  /** 1-based, as snarkjs numbers them. */
  readonly number: number;
  readonly name: string;
  readonly hash: string;
  readonly beacon?: { readonly hex: string; readonly iterationsExp: number };
}

const CONTRIBUTION = /^contribution #(\d+) (.*):\n((?:\s*[0-9a-f]{8}){16})\s*$/s;

/**
 * snarkjs logs each contribution, last first, as "contribution #i <name>:" and the hash in four
 * lines, followed for a beacon by "Beacon generator: <hex>" and "Beacon iterations Exp: <n>".
 */
export function parseContributions(infos: readonly string[]): ZkeyContribution[] {
  const out: ZkeyContribution[] = [];
  for (let i = 0; i < infos.length; i++) {
    const m = CONTRIBUTION.exec(infos[i]!);
    if (!m) continue;
    const gen = /^Beacon generator: ([0-9a-f]+)$/.exec(infos[i + 1] ?? '');
    const exp = /^Beacon iterations Exp: (\d+)$/.exec(infos[i + 2] ?? '');
    out.push({
      number: Number(m[1]),
      name: m[2]!,
      hash: m[3]!.replace(/\s+/g, ''),
      ...(gen && exp ? { beacon: { hex: gen[1]!, iterationsExp: Number(exp[1]) } } : {}),
    });
  }
  return out.sort((a, b) => a.number - b.number);
}

/**
 * snarkjs' full phase-2 verification of `zkey` against the initial zkey (itself made from the r1cs
 * and the ptau): every contribution's proof of knowledge, the delta chain, and the L and H sections.
 */
export async function verifyZkey(
  init: ZkeyRef,
  ptau: string,
  zkey: string,
  io?: CeremonyIO,
): Promise<{ ok: boolean; contributions: ZkeyContribution[]; reason: string }> {
  const log = new SnarkjsLog('verify', io);
  let ok: boolean;
  try {
    ok = await snarkjs.zKey.verifyFromInit(init, ptau, zkey, log);
  } catch (e) {
    // A zkey damaged in its structure makes snarkjs throw rather than return false.
    return { ok: false, contributions: [], reason: e instanceof Error ? e.message : String(e) };
  }
  return { ok, contributions: parseContributions(log.infos), reason: log.errors.join('; ') };
}

export async function exportVerificationKey(zkey: ZkeyRef): Promise<Record<string, unknown>> {
  try {
    return (await snarkjs.zKey.exportVerificationKey(zkey)) as Record<string, unknown>;
  } catch (e) {
    throw wrap('export verification key', e);
  }
}

/**
 * snarkjs caches one bn128 curve with worker threads on globalThis; they keep a CLI process
 * alive, so each command releases them when it is done.
 */
export async function releaseSnarkjs(): Promise<void> {
  const holder = globalThis as { curve_bn128?: { terminate(): Promise<void> } };
  if (holder.curve_bn128) {
    await holder.curve_bn128.terminate();
    delete holder.curve_bn128;
  }
}
