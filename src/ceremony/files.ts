import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, open } from 'node:fs/promises';
import * as snarkjs from 'snarkjs';
import { CeremonyError } from './errors.js';

/** Scalar field order r of BN254: r1cs files for any other curve are refused. */
const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** Base field order q of BN254, which a bn128 ptau header carries. */
const BN254_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

export async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Streams the file (zkeys and ptau files run to gigabytes for large circuits). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }))
      hash.update(chunk as Buffer);
  } catch (e) {
    throw new CeremonyError('IO', `cannot read ${file}`, { file }, { cause: e });
  }
  return hash.digest('hex');
}

export interface PtauHeader {
  readonly power: number;
  readonly ceremonyPower: number;
  /** Section 12 (Lagrange bases) exists only after `powersoftau prepare phase2`. */
  readonly prepared: boolean;
}

/**
 * Reads the header of a snarkjs powers-of-tau file (magic "ptau", version, sections; section 1 =
 * n8, q, power, ceremonyPower) without loading the points, so the size check precedes any work.
 */
export async function readPtauHeader(file: string): Promise<PtauHeader> {
  const bad = (why: string): never => {
    throw new CeremonyError('PTAU_INVALID', `${file}: ${why}`, { file });
  };
  let fd: Awaited<ReturnType<typeof open>>;
  try {
    fd = await open(file, 'r');
  } catch (e) {
    throw new CeremonyError('PTAU_INVALID', `cannot open ${file}`, { file }, { cause: e });
  }
  try {
    const size = (await fd.stat()).size;
    const read = async (pos: number, len: number): Promise<Buffer> => {
      if (pos + len > size) bad('truncated');
      const buf = Buffer.alloc(len);
      await fd.read(buf, 0, len, pos);
      return buf;
    };
    const head = await read(0, 12);
    if (head.toString('latin1', 0, 4) !== 'ptau') bad('not a powers-of-tau file');
    const nSections = head.readUInt32LE(8);
    if (nSections > 64) bad('too many sections');
    let pos = 12;
    let header: PtauHeader | undefined;
    let prepared = false;
    for (let i = 0; i < nSections; i++) {
      const sh = await read(pos, 12);
      const type = sh.readUInt32LE(0);
      const len = Number(sh.readBigUInt64LE(4));
      if (type === 12) prepared = true;
      if (type === 1) {
        const body = await read(pos + 12, Math.min(len, 64));
        const n8 = body.readUInt32LE(0);
        if (n8 !== 32 || len !== 4 + n8 + 8) bad('unexpected header size');
        let q = 0n;
        for (let b = n8 - 1; b >= 0; b--) q = (q << 8n) | BigInt(body[4 + b]!);
        if (q !== BN254_Q) bad('not a bn128 (BN254) ceremony');
        header = {
          power: body.readUInt32LE(4 + n8),
          ceremonyPower: body.readUInt32LE(8 + n8),
          prepared: false,
        };
      }
      pos += 12 + len;
    }
    if (!header) return bad('no header section');
    return { ...header, prepared };
  } finally {
    await fd.close();
  }
}

export interface R1csSummary {
  readonly constraints: number;
  readonly publicInputs: number;
  /** Smallest phase-1 power snarkjs accepts for this circuit (same formula as `zkey new`). */
  readonly requiredPower: number;
}

export async function readR1cs(file: string): Promise<R1csSummary> {
  let info: snarkjs.R1csInfo;
  try {
    info = await snarkjs.r1cs.info(file);
  } catch (e) {
    throw new CeremonyError('R1CS_INVALID', `cannot read r1cs ${file}`, { file }, { cause: e });
  }
  if (BigInt(info.prime) !== BN254_R) {
    throw new CeremonyError('R1CS_INVALID', `${file} is not a BN254 circuit`, { file });
  }
  const n = info.nConstraints + info.nPubInputs + info.nOutputs;
  return {
    constraints: info.nConstraints,
    publicInputs: info.nPubInputs + info.nOutputs,
    requiredPower: n.toString(2).length,
  };
}
