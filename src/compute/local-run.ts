import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { z } from 'zod';
import { bytesToHex } from '../common/index.js';
import { toField } from '../privacy/index.js';
import { ComputeError } from './errors.js';
import { executeJob } from './executor.js';
import { buildJob } from './job/build.js';
import { openOutput } from './job/envelope.js';
import { jobIdBytes } from './job/job-id.js';
import type { Sandbox } from './sandbox/sandbox.js';
import { watToWasm } from './wasm/wat.js';

// `paraloom compute run-local <dir>`: a job directory holds job.json (this schema) and the module
// (.wat or .wasm). The run takes the whole executor path (seal the input to a throwaway executor
// key, validate and meter, sandbox, seal and open the output) except the ownership proof, which
// only validators check at admission.

const u64 = z.string().regex(/^\d+$/).transform(BigInt);
const Manifest = z.object({
  description: z.string().optional(),
  module: z.string().regex(/\.(wat|wasm)$/),
  fuelLimit: u64,
  memoryPages: z.number().int().min(1),
  outputCap: z.number().int().min(0),
  fee: u64.default(0n),
  input: z.union([z.object({ u64: z.array(u64) }), z.object({ hex: z.string().regex(/^([0-9a-f]{2})*$/) })]),
  output: z.object({ u64: z.array(z.string()) }).optional(),
});
export type JobManifest = z.infer<typeof Manifest>;

export interface LocalRunReport {
  readonly jobId: string;
  readonly status: string;
  readonly abortCode: number;
  readonly fuelUsed: string;
  readonly outputHash: string;
  readonly outputHex: string;
  readonly decoded: Readonly<Record<string, string>> | undefined;
  readonly elapsedMs: number;
}

/** The manifest's input as the bytes the module reads (u64 values little-endian, or raw hex). */
export function encodeInput(input: JobManifest['input']): Uint8Array {
  if ('hex' in input) return Buffer.from(input.hex, 'hex');
  const out = new Uint8Array(input.u64.length * 8);
  const view = new DataView(out.buffer);
  input.u64.forEach((v, i) => {
    view.setBigUint64(i * 8, v, true);
  });
  return out;
}

export async function loadJobDir(dir: string): Promise<{ manifest: JobManifest; wasm: Uint8Array }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, 'job.json'), 'utf8'));
  } catch (e) {
    throw new ComputeError('JOB_MALFORMED', `cannot read ${join(dir, 'job.json')}`, {}, { cause: e });
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    throw new ComputeError('JOB_MALFORMED', `job.json is invalid: ${parsed.error.issues[0]?.message ?? ''}`, {
      issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    });
  }
  const manifest = parsed.data;
  const file = join(dir, manifest.module);
  const wasm = manifest.module.endsWith('.wat')
    ? watToWasm(await readFile(file, 'utf8'))
    : await readFile(file);
  return { manifest, wasm: new Uint8Array(wasm) };
}

export async function runLocalJob(dir: string, sandbox: Sandbox): Promise<LocalRunReport> {
  const { manifest, wasm } = await loadJobDir(dir);
  const executor = {
    encryptionSecret: x25519.utils.randomSecretKey(),
    signingSecret: ed25519.utils.randomSecretKey(),
  };
  const outputSecret = x25519.utils.randomSecretKey();
  const zero = toField(0n);
  const { job, jobId } = buildJob(
    {
      wasm,
      fuelLimit: manifest.fuelLimit,
      memoryPages: manifest.memoryPages,
      outputCap: manifest.outputCap,
      fee: manifest.fee,
      outputKey: x25519.getPublicKey(outputSecret),
    },
    { root: zero, scope: zero, minAmount: 0n, tag: zero },
    [x25519.getPublicKey(executor.encryptionSecret)],
    encodeInput(manifest.input),
  );
  const started = performance.now();
  const { signed } = await executeJob(job, executor, sandbox);
  const elapsedMs = performance.now() - started;
  const r = signed.result;
  const output =
    r.status === 'ok' ? openOutput(r.outputCiphertext, jobIdBytes(jobId), outputSecret) : new Uint8Array(0);
  let decoded: Record<string, string> | undefined;
  if (manifest.output && r.status === 'ok') {
    const view = new DataView(output.buffer, output.byteOffset, output.byteLength);
    decoded = {};
    manifest.output.u64.forEach((name, i) => {
      if ((i + 1) * 8 <= output.length) decoded![name] = view.getBigUint64(i * 8, true).toString();
    });
  }
  return {
    jobId: jobId.toString(16).padStart(64, '0'),
    status: r.status,
    abortCode: r.abortCode,
    fuelUsed: r.fuelUsed.toString(),
    outputHash: bytesToHex(r.outputHash),
    outputHex: bytesToHex(output),
    decoded,
    elapsedMs: Math.round(elapsedMs * 10) / 10,
  };
}
