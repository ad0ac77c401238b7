import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PrivacyError } from './errors.js';
import type { SnarkjsVerifyingKey } from './verifier/verifying-key.js';

/**
 * Committed development keys of the v2 circuit (made by `KEYS_VERSION=v2 scripts/dev-ceremony.sh`;
 * see their transcript.json). keys/dev/v1 holds the keys of the old circuit, for the record only.
 */
export const DEV_KEYS_DIR = fileURLToPath(new URL('../../keys/dev/v2/transact/', import.meta.url));

export interface CircuitArtifacts {
  readonly dir: string;
  readonly wasm: Uint8Array;
  readonly zkey: Uint8Array;
  readonly verifyingKey: SnarkjsVerifyingKey;
}

async function readChecked(dir: string, name: string, sums: Map<string, string>): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await readFile(`${dir}/${name}`);
  } catch (e) {
    throw new PrivacyError('KEYS_MISSING', `missing circuit artifact ${name}`, { dir }, { cause: e });
  }
  const expected = sums.get(name);
  const actual = createHash('sha256').update(data).digest('hex');
  if (expected !== actual) {
    throw new PrivacyError('KEYS_CHECKSUM', `${name} does not match SHA256SUMS`, { dir, expected, actual });
  }
  return data;
}

async function readSums(dir: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(`${dir}/SHA256SUMS`, 'utf8');
  } catch (e) {
    throw new PrivacyError(
      'KEYS_MISSING',
      'missing SHA256SUMS beside the circuit keys',
      { dir },
      { cause: e },
    );
  }
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (m) sums.set(m[2]!, m[1]!);
  }
  return sums;
}

/** Loads the verifying key only (validators never prove). */
export async function loadVerifyingKeyJson(dir: string = DEV_KEYS_DIR): Promise<SnarkjsVerifyingKey> {
  const sums = await readSums(dir);
  return JSON.parse(
    (await readChecked(dir, 'verification_key.json', sums)).toString('utf8'),
  ) as SnarkjsVerifyingKey;
}

/** Loads prover artifacts, each checked against SHA256SUMS. */
export async function loadCircuitArtifacts(
  dir: string = DEV_KEYS_DIR,
  circuit = 'transact',
): Promise<CircuitArtifacts> {
  const sums = await readSums(dir);
  const [wasm, zkey, vk] = await Promise.all([
    readChecked(dir, `${circuit}.wasm`, sums),
    readChecked(dir, `${circuit}.zkey`, sums),
    readChecked(dir, 'verification_key.json', sums),
  ]);
  return {
    dir,
    wasm: new Uint8Array(wasm),
    zkey: new Uint8Array(zkey),
    verifyingKey: JSON.parse(vk.toString('utf8')) as SnarkjsVerifyingKey,
  };
}
