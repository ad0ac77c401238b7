import { describe, expect, it } from 'vitest';
import { canonicalJson, entryHash } from './canonical.js';
import { seal, verifyChain } from './chain.js';
import { CeremonyError } from './errors.js';
import { generateSigningKey } from './signing.js';
import type { ContributionEntry, InitEntry, Transcript } from './transcript.js';

const h = (c: string) => c.repeat(64);
const TIME = '2026-01-01T00:00:00.000Z';

function init(): InitEntry {
  return seal<InitEntry>(undefined, {
    kind: 'init',
    time: TIME,
    circuit: 'c',
    r1cs_sha256: h('1'),
    constraints: 10,
    public_inputs: 1,
    circuit_hash: h('2').repeat(2),
    required_power: 4,
    phase1: { power: 8, ptau_sha256: h('3'), ptau_file: 'p.ptau', provenance: 'test' },
    min_contributions: 1,
    zkey_file: 'c_0000.zkey',
    zkey_sha256: h('a'),
  });
}

function contribution(prev: InitEntry | ContributionEntry, name: string, zkey: string, signed = false) {
  return seal<ContributionEntry>(
    prev,
    {
      kind: 'contribution',
      time: TIME,
      name,
      contribution_hash: h('c').repeat(2),
      prev_zkey_sha256: prev.zkey_sha256,
      zkey_file: `c_000${prev.index + 1}.zkey`,
      zkey_sha256: h(zkey),
    },
    signed ? generateSigningKey() : undefined,
  );
}

function transcript(): Transcript {
  const e0 = init();
  const e1 = contribution(e0, 'alice', 'b', true);
  const e2 = contribution(e1, 'bob', 'd');
  return { format: 'paraloom-ceremony/1', circuit: 'c', constraints: 10, entries: [e0, e1, e2] };
}

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof CeremonyError)
      return `${e.code}@${String('entry' in e.context ? e.context.entry : undefined)}`;
    throw e;
  }
  return undefined;
}

describe('canonical JSON', () => {
  it('sorts keys at every level and drops absent optionals', () => {
    expect(canonicalJson({ b: 1, a: { d: 'x', c: 2 }, z: undefined })).toBe('{"a":{"c":2,"d":"x"},"b":1}');
  });
  it('refuses numbers that do not round-trip', () => {
    expect(() => canonicalJson({ a: 1.5 })).toThrow();
    expect(() => canonicalJson({ a: 2 ** 60 })).toThrow();
  });
  it('gives an entry hash that ignores the stored entry hash and key order', () => {
    const e = init();
    const reordered = Object.fromEntries(Object.entries(e).reverse()) as InitEntry;
    expect(entryHash({ ...reordered, entry_sha256: h('0') })).toBe(e.entry_sha256);
  });
});

describe('verifyChain', () => {
  it('accepts a sealed chain and splits it into init and updates', () => {
    const view = verifyChain(transcript());
    expect(view.init.kind).toBe('init');
    expect(view.updates.map((u) => u.name)).toEqual(['alice', 'bob']);
  });

  it('names the entry for each kind of damage', () => {
    // [expected, damage, re-link from this position on (as a forger who recomputes hashes would)]
    const cases: [string, (t: Transcript) => void, number?][] = [
      ['TRANSCRIPT_EMPTY@undefined', (t) => t.entries.splice(0)],
      ['ENTRY_MISSING@1', (t) => t.entries.splice(1, 1)],
      ['ENTRY_REORDERED@1', (t) => t.entries.splice(1, 2, t.entries[2]!, t.entries[1]!)],
      ['ENTRY_TAMPERED@2', (t) => Object.assign(t.entries[2]!, { name: 'eve' })],
      ['CHAIN_BROKEN@2', (t) => Object.assign(t.entries[2]!, { prev_entry_sha256: h('f') }), 99],
      ['SIGNATURE_INVALID@1', (t) => Object.assign(t.entries[1]!, { signature: 'ab'.repeat(64) }), 1],
      ['SIGNATURE_INVALID@1', (t) => Object.assign(t.entries[1]!, { name: 'mallory' }), 1],
      ['TRANSCRIPT_MALFORMED@0', (t) => Object.assign(t, { constraints: 11 })],
    ];
    for (const [expected, damage, relinkFrom] of cases) {
      const t = transcript();
      damage(t);
      t.entries.forEach((e, i) => {
        if (relinkFrom === undefined || i < Math.min(relinkFrom, 2)) return;
        if (i >= relinkFrom) e.prev_entry_sha256 = t.entries[i - 1]!.entry_sha256;
        e.entry_sha256 = entryHash(e);
      });
      expect(
        code(() => verifyChain(t)),
        expected,
      ).toBe(expected);
    }
  });

  it('refuses a contribution that does not start from the previous zkey', () => {
    const e0 = init();
    const e1 = seal<ContributionEntry>(e0, {
      kind: 'contribution',
      time: TIME,
      name: 'x',
      contribution_hash: h('c').repeat(2),
      prev_zkey_sha256: h('9'),
      zkey_file: 'c_0001.zkey',
      zkey_sha256: h('b'),
    });
    const t: Transcript = { format: 'paraloom-ceremony/1', circuit: 'c', constraints: 10, entries: [e0, e1] };
    expect(code(() => verifyChain(t))).toBe('CHAIN_BROKEN@1');
  });
});
