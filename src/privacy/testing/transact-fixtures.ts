import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bytesToHex, hexToBytes } from '../../common/index.js';
import {
  type CircuitArtifacts,
  computeExtDataHash,
  type Field,
  Groth16Proof,
  loadCircuitArtifacts,
  privacyReady,
  proveTransact,
  type TransactStatement,
  type TransactVerification,
  toField,
} from '../index.js';
import { makePool, transferRequest, withdrawRequest } from './transact-scenario.js';

// Real proofs are the expensive part of the suite (~1.5 s each on 2 cores). The first test run
// makes them and caches them under .cache/fixtures, keyed by the proving key's hash, so the rest of
// a CI run reuses them; a change of keys invalidates the cache by itself, and so does a change of
// the ext data hash (the statement the proofs bind), through EXT_DATA_TAG.

const CACHE_DIR = fileURLToPath(new URL('../../../.cache/fixtures/', import.meta.url));

/** ext_data_hash of a fixed withdrawal with a refund: changes whenever the ext data layout does. */
function extDataTag(): string {
  const envelope = Uint8Array.of(2);
  const hash = computeExtDataHash({
    recipient: new Uint8Array(32).fill(1),
    relayer: new Uint8Array(32).fill(2),
    fee: 1n,
    extAmount: -2n,
    expirationSlot: 3n,
    encryptedOutput0: envelope,
    encryptedOutput1: envelope,
    refundOwner: toField(4n),
    refundBlinding: toField(5n),
    refundCiphertext: envelope,
  });
  return hash.toString(16).slice(0, 8);
}

interface SerializedItem {
  wire: string;
  statement: {
    root: string;
    assetPublic: string;
    nullifiers: [string, string];
    outputCommitments: [string, string];
    extData: {
      recipient: string;
      relayer: string;
      fee: string;
      extAmount: string;
      expirationSlot: string;
      encryptedOutput0: string;
      encryptedOutput1: string;
    };
  };
}

function serialize(item: TransactVerification): SerializedItem {
  const s = item.statement;
  const e = s.extData;
  return {
    wire: bytesToHex(item.proof.toWire()),
    statement: {
      root: s.root.toString(),
      assetPublic: s.assetPublic.toString(),
      nullifiers: [s.nullifiers[0].toString(), s.nullifiers[1].toString()],
      outputCommitments: [s.outputCommitments[0].toString(), s.outputCommitments[1].toString()],
      extData: {
        recipient: bytesToHex(e.recipient),
        relayer: bytesToHex(e.relayer),
        fee: e.fee.toString(),
        extAmount: e.extAmount.toString(),
        expirationSlot: e.expirationSlot.toString(),
        encryptedOutput0: bytesToHex(e.encryptedOutput0),
        encryptedOutput1: bytesToHex(e.encryptedOutput1),
      },
    },
  };
}

function deserialize(item: SerializedItem): TransactVerification {
  const f = (v: string): Field => toField(BigInt(v));
  const s = item.statement;
  const e = s.extData;
  const statement: TransactStatement = {
    root: f(s.root),
    assetPublic: f(s.assetPublic),
    nullifiers: [f(s.nullifiers[0]), f(s.nullifiers[1])],
    outputCommitments: [f(s.outputCommitments[0]), f(s.outputCommitments[1])],
    extData: {
      recipient: hexToBytes(e.recipient),
      relayer: hexToBytes(e.relayer),
      fee: BigInt(e.fee),
      extAmount: BigInt(e.extAmount),
      expirationSlot: BigInt(e.expirationSlot),
      encryptedOutput0: hexToBytes(e.encryptedOutput0),
      encryptedOutput1: hexToBytes(e.encryptedOutput1),
    },
  };
  return { proof: Groth16Proof.fromWire(hexToBytes(item.wire)), statement };
}

/** `count` valid proofs of distinct statements (alternating transfers and withdrawals). */
export async function transactFixtures(
  count: number,
  artifacts?: CircuitArtifacts,
): Promise<TransactVerification[]> {
  await privacyReady();
  const keys = artifacts ?? (await loadCircuitArtifacts());
  const keyHash = createHash('sha256').update(keys.zkey).digest('hex').slice(0, 16);
  const file = `${CACHE_DIR}transact-${keyHash}-${extDataTag()}-${count}.json`;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as SerializedItem[]).map(deserialize);
  } catch {
    // not cached yet
  }
  const items: TransactVerification[] = [];
  for (let i = 0; i < count; i++) {
    const pool = await makePool([3_000_000_000n + BigInt(i), 2_000_000_000n]);
    const request =
      i % 2 === 0
        ? (await transferRequest(pool, 1_234_567_890n + BigInt(i))).request
        : await withdrawRequest(pool, 1_000_000_000n, 10_000_000n + BigInt(i));
    const { proof, statement } = await proveTransact(request, keys);
    items.push({ proof, statement });
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(items.map(serialize)));
  renameSync(tmp, file);
  return items;
}
