/**
 * Seeded, bounded fuzzing of every decoder that reads bytes from peers or clients: libp2p messages
 * (gossip and direct protocols), their gossip payload, consensus certificates, proposal bodies and
 * evidence, L2 blocks, transactions and refund entries. Each input is random or a mutation of a valid
 * encoding; a decoder must either return or throw its module's typed error (a stable string code),
 * never a TypeError, RangeError or anything uncoded. Set FUZZ_SEED / FUZZ_COUNT to explore further.
 */
import { describe, expect, it } from 'vitest';
import { fuzzInputs } from '../src/common/testing/index.js';
import {
  decodeCertificate,
  decodeEvidence,
  decodeProposalBody,
  encodeCertificate,
  encodeProposalBody,
} from '../src/consensus/index.js';
import { chain } from '../src/coordinator/testing/index.js';
import {
  decodeBlock,
  decodeRefundEntry,
  decodeTransaction,
  encodeBlock,
  encodeTransaction,
} from '../src/ledger/index.js';
import {
  decodeGossipPayload,
  decodeMessage,
  encodeMessage,
  type NetworkMessage,
  VoteKind,
} from '../src/network/index.js';
import { toField } from '../src/privacy/index.js';
import {
  ChunkKind,
  decodeChunk,
  decodeManifest,
  encodeChunk,
  encodeManifest,
} from '../src/snapshot/index.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const COUNT = Number(process.env.FUZZ_COUNT ?? 3_000);
const b = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

/** Runs `decode` on every input; returns how many decoded and the codes of the refusals. */
function fuzz(
  name: string,
  valid: readonly Uint8Array[],
  decode: (bytes: Uint8Array) => unknown,
  seed = SEED,
) {
  const codes = new Map<string, number>();
  let decoded = 0;
  for (const input of fuzzInputs(valid, { seed, count: COUNT })) {
    try {
      decode(input);
      decoded++;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (
        !(e instanceof Error) ||
        typeof code !== 'string' ||
        e instanceof TypeError ||
        e instanceof RangeError
      ) {
        throw new Error(
          `${name}: an input of ${input.length} bytes (${Buffer.from(input).toString('hex').slice(0, 120)}) threw ${String(e)}`,
        );
      }
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  }
  return { decoded, codes };
}

const MESSAGES: NetworkMessage[] = [
  { type: 'TX', tx: b(300) },
  { type: 'TXS', txs: [b(652, 1), b(3, 3)] },
  { type: 'PROPOSAL', height: 12n, round: 3, body: b(1000) },
  {
    type: 'VOTE',
    height: 9n,
    round: 0,
    kind: VoteKind.PRECOMMIT,
    blockHash: b(32, 1),
    validator: b(32, 2),
    signature: b(64, 3),
  },
  { type: 'EVIDENCE', body: b(200) },
  { type: 'COMPUTE', kind: 4, body: b(10) },
  {
    type: 'HEARTBEAT',
    validator: b(32, 4),
    peerId: b(38, 6),
    timestampMs: 1_700_000_000_000n,
    height: 7n,
    signature: b(64, 5),
  },
  { type: 'BLOCK_SYNC_REQUEST', fromHeight: 256n, maxBlocks: 64 },
  { type: 'BLOCK_SYNC_RESPONSE', blocks: [{ height: 1n, hash: b(32), block: b(5), qc: b(70) }] },
  { type: 'DIRECT', kind: 65535, body: b(3) },
  { type: 'ERROR', code: 2, text: 'bad request ✓' },
  { type: 'SNAPSHOT_REQUEST', height: 300n, part: 2 },
  { type: 'SNAPSHOT_RESPONSE', height: 300n, part: 1, bytes: b(700, 4) },
];

describe('decoders of untrusted bytes (seeded fuzz)', () => {
  it('libp2p messages and gossip payloads: typed refusals only', () => {
    const encoded = MESSAGES.map(encodeMessage);
    const r = fuzz('decodeMessage', encoded, (bytes) => decodeMessage(bytes));
    // The mutations must reach the payload decoders, not stop at the envelope.
    expect(r.decoded).toBeGreaterThan(0);
    expect(r.codes.size).toBeGreaterThan(3);
    // A gossip payload is a nonce then a message; each topic accepts its own types.
    const payloads = encoded.map((m) => new Uint8Array([...b(8, 1), ...m]));
    const all = new Set(MESSAGES.map((m) => m.type));
    fuzz('decodeGossipPayload', payloads, (bytes) => decodeGossipPayload(bytes, all), SEED + 1);
  });

  it('consensus certificates, proposal bodies and evidence: typed refusals only', () => {
    const qc = encodeCertificate({
      height: 5n,
      round: 1,
      blockHash: b(32, 9),
      signatures: [1, 2, 3].map((i) => ({ validator: b(32, i), signature: b(64, i) })),
    });
    const r = fuzz('decodeCertificate', [qc], decodeCertificate);
    expect(r.decoded).toBeGreaterThan(0);
    const { list } = chain([1]);
    const body = encodeProposalBody({
      height: 1n,
      round: 0,
      validRound: -1,
      blockHash: b(32, 4),
      proposer: b(32, 5),
      signature: b(64, 6),
      bytes: encodeBlock(list[0]!),
    });
    fuzz('decodeProposalBody', [body], (bytes) => decodeProposalBody(1n, 0, bytes), SEED + 2);
    fuzz('decodeEvidence', [qc], decodeEvidence, SEED + 3);
  });

  it('L2 blocks, transactions and refund entries: typed refusals only', () => {
    const { list } = chain([2, 1]);
    const blocks = list.map(encodeBlock);
    const txs = list.flatMap((block) => block.transactions.map((t) => encodeTransaction(t.tx)));
    expect(fuzz('decodeBlock', blocks, decodeBlock).codes.size).toBeGreaterThan(1);
    expect(fuzz('decodeTransaction', txs, decodeTransaction, SEED + 4).codes.size).toBeGreaterThan(1);
    fuzz('decodeRefundEntry', [b(96, 1), b(200, 2)], decodeRefundEntry, SEED + 5);
  });

  it('state snapshot manifests and chunks: typed refusals only', () => {
    const { list } = chain([1, 1]);
    const [one, two] = list.map(encodeBlock);
    const manifest = encodeManifest({
      height: 2n,
      block: two!,
      qc: b(150, 3),
      depositSlot: 9n,
      chunks: [
        { kind: ChunkKind.HEADERS, count: 1, hash: b(32, 1) },
        { kind: ChunkKind.LEAVES, count: 3, hash: b(32, 2) },
      ],
    });
    expect(fuzz('decodeManifest', [manifest], decodeManifest, SEED + 6).decoded).toBeGreaterThan(0);
    const chunks = [
      encodeChunk({ kind: ChunkKind.HEADERS, headers: [one!.subarray(0, 301)] }),
      encodeChunk({
        kind: ChunkKind.SET_BLOCKS,
        blocks: [{ header: one!.subarray(0, 301), sections: b(1, 0), qc: b(150, 3) }],
      }),
      encodeChunk({ kind: ChunkKind.LEAVES, fields: [1n, 2n, 3n].map(toField) }),
      encodeChunk({ kind: ChunkKind.NULLIFIERS, fields: [toField(4n)] }),
      encodeChunk({
        kind: ChunkKind.SPEND_ROOTS,
        roots: [
          { root: toField(5n), height: 1n, timestampMs: 10n },
          { root: toField(6n), height: 2n, timestampMs: 20n },
        ],
      }),
    ];
    // Some mutations still decode (a changed field value): the decoder reached every kind's items.
    expect(fuzz('decodeChunk', chunks, decodeChunk, SEED + 7).decoded).toBeGreaterThan(0);
  });
});
