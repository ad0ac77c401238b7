import { describe, expect, it } from 'vitest';
import {
  ENVELOPE_BYTES,
  ENVELOPE_VERSION,
  FIELD_MODULUS,
  FIELD_ZERO,
  type Field,
  PROOF_SUITE_GROTH16_BN254,
  PROOF_WIRE_BYTES,
  randomField,
  toField,
} from '../privacy/index.js';
import {
  BLOCK_HEADER_BYTES,
  type Block,
  blockHash,
  DepositQueue,
  decodeBlock,
  decodeBlockHeaderOf,
  decodeTransaction,
  encodeBlock,
  encodeSections,
  encodeTransaction,
  LedgerError,
  MAX_L2_BLOCK_BYTES,
  MAX_SECTIONS_BYTES,
  nextAccumulator,
  type ShieldedTransaction,
  sectionsRoot,
  TX_BYTES,
  transactionRoot,
} from './index.js';

function envelope(): Uint8Array {
  const e = crypto.getRandomValues(new Uint8Array(ENVELOPE_BYTES));
  e[0] = ENVELOPE_VERSION;
  return e;
}

function sampleTx(extAmount = -1_000n, fee = 10n, refund = extAmount < 0n): ShieldedTransaction {
  const proof = crypto.getRandomValues(new Uint8Array(PROOF_WIRE_BYTES));
  proof[0] = PROOF_SUITE_GROTH16_BN254;
  return {
    proof,
    statement: {
      root: randomField(),
      assetPublic: FIELD_ZERO,
      nullifiers: [randomField(), randomField()],
      outputCommitments: [randomField(), randomField()],
      extData: {
        recipient: new Uint8Array(32).fill(1),
        relayer: new Uint8Array(32).fill(2),
        fee,
        extAmount,
        expirationSlot: 123_456n,
        encryptedOutput0: envelope(),
        encryptedOutput1: envelope(),
        ...(refund
          ? { refundOwner: randomField(), refundBlinding: randomField(), refundCiphertext: envelope() }
          : {}),
      },
    },
  };
}

/** Offsets of the field elements in a v1 transaction (see docs/protocol.md). */
const FIELD_OFFSETS = {
  root: 130,
  asset_public: 162,
  nullifier0: 194,
  nullifier1: 226,
  out0: 258,
  out1: 290,
  refund_owner: 716,
  refund_blinding: 748,
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof LedgerError) return e.code;
    throw e;
  }
  return 'NO_ERROR';
}

describe('transaction codec', () => {
  it('round-trips with a fixed size and a stable id', () => {
    const tx = sampleTx();
    const bytes = encodeTransaction(tx);
    expect(bytes.length).toBe(TX_BYTES);
    expect(TX_BYTES).toBe(933);
    const d = decodeTransaction(bytes);
    expect(encodeTransaction(d.tx)).toEqual(bytes);
    expect(d.tx.statement).toEqual(tx.statement);
    expect(decodeTransaction(bytes).idHex).toBe(d.idHex);
    const other = bytes.slice();
    other[TX_BYTES - 1]! ^= 1;
    expect(decodeTransaction(other).idHex).not.toBe(d.idHex);
  });

  it('refuses oversize input before reading it, and every malformed shape', () => {
    const bytes = encodeTransaction(sampleTx());
    expect(codeOf(() => decodeTransaction(new Uint8Array(TX_BYTES + 1)))).toBe('TX_OVERSIZE');
    expect(codeOf(() => decodeTransaction(new Uint8Array(10 * 1024 * 1024)))).toBe('TX_OVERSIZE');
    expect(codeOf(() => decodeTransaction(bytes.subarray(0, TX_BYTES - 1)))).toBe('TX_MALFORMED');
    const version = bytes.slice();
    version[0] = 2;
    expect(codeOf(() => decodeTransaction(version))).toBe('TX_MALFORMED');
    const suite = bytes.slice();
    suite[1] = 9;
    expect(codeOf(() => decodeTransaction(suite))).toBe('TX_MALFORMED');
    const env = bytes.slice();
    env[TX_BYTES - 3 * ENVELOPE_BYTES - 64] = 7;
    expect(codeOf(() => decodeTransaction(env))).toBe('TX_MALFORMED');
    const refundEnv = bytes.slice();
    refundEnv[TX_BYTES - ENVELOPE_BYTES] = 7;
    expect(codeOf(() => decodeTransaction(refundEnv))).toBe('TX_MALFORMED');
    // Without a refund owner the blinding and the refund slot must be zeros (one encoding per content).
    const transfer = encodeTransaction(sampleTx(0n, 0n, false));
    const smuggled = transfer.slice();
    smuggled[TX_BYTES - 1] = 1;
    expect(codeOf(() => decodeTransaction(smuggled))).toBe('TX_MALFORMED');
    const blindingOnly = transfer.slice();
    blindingOnly[FIELD_OFFSETS.refund_blinding] = 1;
    expect(codeOf(() => decodeTransaction(blindingOnly))).toBe('TX_MALFORMED');
    const noRefund = decodeTransaction(transfer).tx.statement.extData;
    expect(noRefund.refundOwner).toBeUndefined();
    expect(noRefund.refundBlinding).toBeUndefined();
    expect(noRefund.refundCiphertext).toBeUndefined();
  });

  it('refuses every non-canonical field element (n + p is not n)', () => {
    const tx = sampleTx();
    const bytes = encodeTransaction(tx);
    for (const [name, offset] of Object.entries(FIELD_OFFSETS)) {
      const bad = bytes.slice();
      // value + p still fits 32 bytes for any value < 2^256 - p; use p itself (aliases 0).
      let v = FIELD_MODULUS;
      for (let i = 0; i < 32; i++) {
        bad[offset + i] = Number(v & 0xffn);
        v >>= 8n;
      }
      expect(
        codeOf(() => decodeTransaction(bad)),
        name,
      ).toBe('FIELD_NOT_CANONICAL');
    }
  });

  it('refuses ext data the circuit statement forbids and equal nullifiers', () => {
    expect(codeOf(() => encodeTransaction(sampleTx(-10n, 11n)))).toBe('EXT_DATA_INVALID');
    expect(codeOf(() => encodeTransaction(sampleTx(5n, 0n)))).toBe('EXT_DATA_INVALID');
    // Positive ext_amount smuggled in by bytes: the decoder applies the same rules.
    const bytes = encodeTransaction(sampleTx(0n, 0n));
    const extAmountAt = 1 + PROOF_WIRE_BYTES + 6 * 32 + 64 + 8;
    bytes[extAmountAt] = 5;
    expect(codeOf(() => decodeTransaction(bytes))).toBe('EXT_DATA_INVALID');
    const tx = sampleTx();
    const same: ShieldedTransaction = {
      ...tx,
      statement: { ...tx.statement, nullifiers: [tx.statement.nullifiers[0], tx.statement.nullifiers[0]] },
    };
    expect(codeOf(() => encodeTransaction(same))).toBe('TX_MALFORMED');
  });

  it('admits a transfer only with asset_public = 0, and a withdrawal naming any asset', () => {
    const transfer = sampleTx(0n, 0n);
    const showing: ShieldedTransaction = {
      ...transfer,
      statement: { ...transfer.statement, assetPublic: toField(5n) },
    };
    expect(codeOf(() => encodeTransaction(showing))).toBe('TX_MALFORMED');
    const bytes = encodeTransaction(transfer);
    bytes[FIELD_OFFSETS.asset_public] = 5;
    expect(codeOf(() => decodeTransaction(bytes))).toBe('TX_MALFORMED');
    const withdrawal = sampleTx();
    const named = { ...withdrawal, statement: { ...withdrawal.statement, assetPublic: toField(5n) } };
    expect(decodeTransaction(encodeTransaction(named)).tx.statement.assetPublic).toBe(5n);
  });
});

function sampleBlock(txCount: number, depositCount: number): Block {
  const transactions = Array.from({ length: txCount }, () =>
    decodeTransaction(encodeTransaction(sampleTx())),
  );
  return {
    header: {
      height: 7n,
      round: 2,
      previousHash: new Uint8Array(32).fill(3),
      leader: new Uint8Array(32).fill(4),
      depositsConsumed: 12n,
      depositAccumulator: randomField(),
      commitmentRoot: randomField(),
      leafCount: 99n,
      nullifierCount: 5n,
      nullifierAccumulator: new Uint8Array(32).fill(6),
      withdrawalsRoot: randomField(),
      transactionRoot: transactionRoot(transactions.map((t) => t.id)),
      sectionsRoot: sectionsRoot([]),
      timestampMs: 1_700_000_000_000n,
    },
    deposits: Array.from({ length: depositCount }, () => randomField()),
    transactions,
    sections: [],
  };
}

function withSections(block: Block, sections: Block['sections']): Block {
  return { ...block, header: { ...block.header, sectionsRoot: sectionsRoot(sections) }, sections };
}

describe('block codec', () => {
  it('round-trips; the hash covers the header', () => {
    const block = sampleBlock(3, 2);
    const bytes = encodeBlock(block);
    expect(bytes.length).toBe(BLOCK_HEADER_BYTES + 8 + 2 * 32 + 3 * TX_BYTES + 1);
    const back = decodeBlock(bytes);
    expect(back.header).toEqual(block.header);
    expect(back.deposits).toEqual(block.deposits);
    expect(back.transactions.map((t) => t.idHex)).toEqual(block.transactions.map((t) => t.idHex));
    expect(encodeBlock(back)).toEqual(bytes);
    expect(blockHash(back.header)).toEqual(blockHash(block.header));
    expect(blockHash({ ...block.header, round: 3 })).not.toEqual(blockHash(block.header));
    expect(decodeBlock(encodeBlock(sampleBlock(0, 0))).transactions).toEqual([]);
    expect(MAX_L2_BLOCK_BYTES).toBe(1_045_262);
    expect(MAX_L2_BLOCK_BYTES).toBeLessThan(1024 * 1024 - 1024);
  });

  it('carries sections: round-trips them, binds them by the header, refuses disorder and overruns', () => {
    const sections = [
      { kind: 1, entries: [Uint8Array.of(1, 2, 3)] },
      { kind: 7, entries: [new Uint8Array(0), new Uint8Array(40).fill(9)] },
    ];
    const block = withSections(sampleBlock(1, 1), sections);
    const bytes = encodeBlock(block);
    const back = decodeBlock(bytes);
    expect(back.sections).toEqual(sections);
    expect(encodeBlock(back)).toEqual(bytes);
    expect(blockHash(back.header)).not.toEqual(blockHash(sampleBlock(1, 1).header));
    const tail = bytes.length - encodeSections(sections).length;
    // Kind 7 rewritten to 1: repeated kinds have two encodings of one content.
    const repeated = bytes.slice();
    repeated[tail + 1 + 5 + 4 + 3] = 1;
    expect(codeOf(() => decodeBlock(repeated))).toBe('BLOCK_MALFORMED');
    const overrun = bytes.slice();
    new DataView(overrun.buffer).setUint32(tail + 1 + 5, 0xfffffff0, true);
    expect(codeOf(() => decodeBlock(overrun))).toBe('BLOCK_MALFORMED');
    const empty = bytes.slice();
    new DataView(empty.buffer).setUint32(tail + 2, 0, true);
    expect(codeOf(() => decodeBlock(empty))).toBe('BLOCK_MALFORMED');
    expect(codeOf(() => encodeBlock(withSections(sampleBlock(0, 0), [...sections].reverse())))).toBe(
      'ARGUMENT_INVALID',
    );
    const big = [{ kind: 2, entries: [new Uint8Array(MAX_SECTIONS_BYTES)] }];
    expect(codeOf(() => encodeBlock(withSections(sampleBlock(0, 0), big)))).toBe('BLOCK_OVERSIZE');
  });

  it('refuses oversize, wrong counts, trailing bytes, bad versions and non-canonical deposits', () => {
    const bytes = encodeBlock(sampleBlock(1, 1));
    expect(codeOf(() => decodeBlock(new Uint8Array(MAX_L2_BLOCK_BYTES + 1)))).toBe('BLOCK_OVERSIZE');
    const trailing = new Uint8Array(bytes.length + 1);
    trailing.set(bytes);
    expect(codeOf(() => decodeBlock(trailing))).toBe('BLOCK_MALFORMED');
    expect(codeOf(() => decodeBlock(bytes.subarray(0, BLOCK_HEADER_BYTES + 3)))).toBe('BLOCK_MALFORMED');
    const version = bytes.slice();
    version[0] = 9;
    expect(codeOf(() => decodeBlock(version))).toBe('BLOCK_MALFORMED');
    const hugeCount = bytes.slice();
    new DataView(hugeCount.buffer).setUint32(BLOCK_HEADER_BYTES, 0xffffffff, true);
    expect(codeOf(() => decodeBlock(hugeCount))).toBe('BLOCK_MALFORMED');
    const txCount = bytes.slice();
    new DataView(txCount.buffer).setUint32(BLOCK_HEADER_BYTES + 4 + 32, 2, true);
    expect(codeOf(() => decodeBlock(txCount))).toBe('BLOCK_MALFORMED');
    const deposit = bytes.slice();
    deposit.fill(0xff, BLOCK_HEADER_BYTES + 4, BLOCK_HEADER_BYTES + 36);
    expect(codeOf(() => decodeBlock(deposit))).toBe('FIELD_NOT_CANONICAL');
    const root = bytes.slice();
    root.fill(0xff, 1 + 8 + 4 + 64 + 8 + 32, 1 + 8 + 4 + 64 + 8 + 64);
    expect(codeOf(() => decodeBlock(root))).toBe('FIELD_NOT_CANONICAL');
  });
});

describe('block decoding with known transactions', () => {
  it('takes a known transaction by the id of its bytes and decodes every other one', () => {
    const block = sampleBlock(3, 0);
    const bytes = encodeBlock(block);
    const mine = block.transactions[1]!;
    const asked: string[] = [];
    const back = decodeBlock(bytes, (idHex) => {
      asked.push(idHex);
      return idHex === mine.idHex ? mine : undefined;
    });
    expect(asked).toEqual(block.transactions.map((t) => t.idHex));
    expect(back.transactions[1]).toBe(mine);
    expect(back.transactions[0]).not.toBe(block.transactions[0]);
    expect(back.transactions.map((t) => t.idHex)).toEqual(block.transactions.map((t) => t.idHex));
    expect(encodeBlock(back)).toEqual(bytes);
  });

  it('still refuses an unknown transaction that does not decode', () => {
    const block = sampleBlock(2, 0);
    const bytes = encodeBlock(block);
    const known = block.transactions[0]!;
    // The second transaction's version byte: its id changes, so it is not known and must decode.
    bytes[BLOCK_HEADER_BYTES + 8 + TX_BYTES] = 9;
    expect(codeOf(() => decodeBlock(bytes, (id) => (id === known.idHex ? known : undefined)))).toBe(
      'TX_MALFORMED',
    );
  });

  it('reads a header alone, even ahead of a malformed body, with the same size cap', () => {
    const block = sampleBlock(2, 1);
    const bytes = encodeBlock(block);
    expect(decodeBlockHeaderOf(bytes)).toEqual(block.header);
    expect(decodeBlockHeaderOf(bytes.subarray(0, BLOCK_HEADER_BYTES))).toEqual(block.header);
    expect(codeOf(() => decodeBlockHeaderOf(bytes.subarray(0, BLOCK_HEADER_BYTES - 1)))).toBe(
      'BLOCK_MALFORMED',
    );
    expect(codeOf(() => decodeBlockHeaderOf(new Uint8Array(MAX_L2_BLOCK_BYTES + 1)))).toBe('BLOCK_OVERSIZE');
  });
});

describe('transaction root', () => {
  it('binds order and count (no odd-node duplication)', () => {
    const ids = Array.from({ length: 3 }, () => crypto.getRandomValues(new Uint8Array(32)));
    const r = transactionRoot(ids);
    expect(transactionRoot([ids[1]!, ids[0]!, ids[2]!])).not.toEqual(r);
    expect(transactionRoot([...ids, ids[2]!])).not.toEqual(r);
    expect(transactionRoot([])).not.toEqual(transactionRoot([new Uint8Array(32)]));
  });
});

describe('deposit queue', () => {
  const chain = (n: number) => {
    let acc = FIELD_ZERO;
    return Array.from({ length: n }, (_, i) => {
      const commitment = randomField();
      acc = nextAccumulator(acc, commitment);
      return { index: BigInt(i), amount: 1n, commitment, accumulator: acc, slot: BigInt(i) };
    });
  };

  it('takes deposits in order, skips replays, refuses gaps and broken chains', () => {
    const d = chain(4);
    const q = new DepositQueue(0n, FIELD_ZERO);
    expect(q.add(d.slice(0, 2))).toBe(2);
    expect(q.add(d.slice(0, 3))).toBe(1);
    expect(codeOf(() => q.add([d[0]!, { ...d[3]!, index: 4n }]))).toBe('DEPOSIT_OUT_OF_ORDER');
    expect(codeOf(() => q.add([{ ...d[3]!, commitment: randomField() as Field }]))).toBe(
      'DEPOSIT_OUT_OF_ORDER',
    );
    expect(q.size).toBe(3);
    q.consumedUpTo(2n, d[1]!.accumulator);
    expect(q.take(2n, 10).map((x) => x.index)).toEqual([2n]);
    expect(q.get(1n)).toBeUndefined();
    q.consumedUpTo(4n, d[3]!.accumulator);
    expect(q.add(d)).toBe(0);
    expect(q.nextIndex).toBe(4n);
  });
});
