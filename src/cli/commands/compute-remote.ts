/**
 * `paraloom compute submit | status | result`: jobs through a validator's ingress. Kept apart from
 * compute.ts so the command table stays small; the compute module is still imported lazily.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '../../common/index.js';
import {
  diversifiedKey,
  loadCircuitArtifacts,
  NATIVE_ASSET,
  shutdownProver,
  toField,
} from '../../privacy/index.js';
import { askPassphrase, IngressClient, Wallet } from '../../wallet/index.js';

const loadCompute = () => import('../../compute/index.js');

async function http(ingress: string, path: string, init?: RequestInit): Promise<Record<string, unknown>> {
  const { ComputeError } = await loadCompute();
  let res: Response;
  try {
    res = await fetch(new URL(path, ingress), init);
  } catch (e) {
    throw new ComputeError('INGRESS_REFUSED', `cannot reach the ingress at ${ingress}`, {}, { cause: e });
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const e = (body.error ?? {}) as { code?: string; message?: string };
    throw new ComputeError('INGRESS_REFUSED', `${e.code ?? 'UNKNOWN'}: ${e.message ?? ''}`, {
      status: res.status,
      reason: e.code,
    });
  }
  return body;
}

/** The output key's X25519 secret: read from `file`, or made and written there (mode 0600). */
async function readSecret(file: string): Promise<Uint8Array> {
  const { ComputeError } = await loadCompute();
  let hex: string;
  try {
    hex = readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new ComputeError('KEY_FILE_INVALID', `cannot read ${file}`, {}, { cause: e });
  }
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new ComputeError('KEY_FILE_INVALID', `${file} does not hold a 32-byte hex X25519 secret`);
  }
  return hexToBytes(hex);
}

async function outputSecret(file: string): Promise<{ secret: Uint8Array; created: boolean }> {
  if (existsSync(file)) return { secret: await readSecret(file), created: false };
  const secret = x25519.utils.randomSecretKey();
  writeFileSync(file, `${bytesToHex(secret)}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, created: true };
}

export interface SubmitOptions {
  readonly ingress: string;
  readonly wallet: string;
  readonly key: string;
  readonly scope?: string;
  readonly minAmount: string;
}

/** Builds the job for the node's executors, proves note ownership for it and submits it. */
export async function submitJob(dir: string, o: SubmitOptions): Promise<Record<string, unknown>> {
  const compute = await loadCompute();
  const { manifest, wasm } = await compute.loadJobDir(dir);
  const executors = (await http(o.ingress, '/v1/compute/executors')) as {
    validators: { ed25519: string }[];
  };
  const validators = executors.validators.map((v) => hexToBytes(v.ed25519));
  const wallet = Wallet.open(o.wallet, { passphrase: await askPassphrase() });
  const client = new IngressClient(o.ingress);
  await wallet.sync(client);
  const minAmount = BigInt(o.minAmount);
  const owned = wallet.store
    .unspent(NATIVE_ASSET)
    .filter((n) => n.amount >= minAmount)
    .sort((a, b) => (a.amount > b.amount ? -1 : 1))[0];
  if (!owned) {
    throw new compute.ComputeError(
      'NOTE_MISSING',
      `the wallet holds no unspent note of at least ${minAmount} lamports`,
    );
  }
  // From the note's witness, not the ingress: asking it for a path would tell it which leaf is ours.
  const { root, path } = await wallet.notePath(owned.leafIndex);
  const note = {
    amount: owned.amount,
    pkD: diversifiedKey(wallet.keys.ak, owned.diversifier),
    blinding: owned.blinding,
    asset: owned.asset,
  };
  // Default scope: the hour since the Unix epoch, so one note backs one job per hour.
  const scope = toField(BigInt(o.scope ?? Math.floor(Date.now() / 3_600_000)));
  const ownership = { root, scope, minAmount, tag: compute.ownershipTag(wallet.keys.sk, note, scope) };
  const { secret, created } = await outputSecret(o.key);
  const spec = {
    wasm,
    fuelLimit: manifest.fuelLimit,
    memoryPages: manifest.memoryPages,
    outputCap: manifest.outputCap,
    fee: manifest.fee,
    outputKey: x25519.getPublicKey(secret),
  };
  const ranked = compute.assignExecutors({ ...spec, ownership }, validators);
  const built = compute.buildJob(
    spec,
    ownership,
    ranked.map(compute.executorX25519),
    compute.encodeInput(manifest.input),
  );
  const artifacts = await loadCircuitArtifacts(compute.OWNERSHIP_DEV_KEYS_DIR, 'ownership');
  let proven: Awaited<ReturnType<typeof compute.proveOwnership>>;
  try {
    proven = await compute.proveOwnership(
      {
        sk: wallet.keys.sk,
        diversifier: owned.diversifier,
        note,
        path,
        root,
        jobId: built.jobId,
        scope,
        minAmount,
      },
      artifacts,
    );
  } finally {
    await shutdownProver();
  }
  const bytes = compute.encodeJob(compute.withProof(built.job, proven.proof));
  const answer = await http(o.ingress, '/v1/compute/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  return {
    id: compute.jobIdHex(built.jobId),
    status: answer.status,
    executors: ranked.slice(0, compute.executorsPerAttempt(validators.length)).map(bytesToHex),
    keyFile: o.key,
    keyCreated: created,
    bytes: bytes.length,
  };
}

export async function jobStatus(id: string, ingress: string): Promise<Record<string, unknown>> {
  if (!/^[0-9a-f]{64}$/.test(id)) {
    const { ComputeError } = await loadCompute();
    throw new ComputeError('JOB_MALFORMED', 'a job id is 64 lowercase hex digits', { id });
  }
  return http(ingress, `/v1/compute/jobs/${id}`);
}

/** Decrypts a final job's output with the output key's secret. */
export async function jobResult(
  id: string,
  ingress: string,
  keyFile: string,
): Promise<{ id: string; status: string; fuelUsed: string; outputHex: string; u64: string[] }> {
  const compute = await loadCompute();
  const status = await jobStatus(id, ingress);
  const final = status.final as { status: string; fuelUsed: string; ciphertext: string } | null;
  if (status.state !== 'final' || !final) {
    throw new compute.ComputeError('JOB_NOT_FINAL', `job ${id} is ${String(status.state)}, not final`, {
      state: status.state,
    });
  }
  const secret = await readSecret(keyFile);
  const output =
    final.status === 'ok'
      ? compute.openOutput(hexToBytes(final.ciphertext), compute.jobIdBytes(compute.fieldFromHex(id)), secret)
      : new Uint8Array(0);
  const view = new DataView(output.buffer, output.byteOffset, output.byteLength);
  const u64 = Array.from({ length: Math.floor(output.length / 8) }, (_, i) =>
    view.getBigUint64(i * 8, true).toString(),
  );
  return { id, status: final.status, fuelUsed: final.fuelUsed, outputHex: bytesToHex(output), u64 };
}
