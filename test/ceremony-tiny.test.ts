import { execFile } from 'node:child_process';
import { cp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingMessage } from '../src/ceremony/canonical.js';
import {
  auditCeremony,
  beacon,
  CeremonyError,
  type CeremonyErrorCode,
  contribute,
  entryHash,
  finalizeCeremony,
  generateSigningKey,
  initCeremony,
  releaseSnarkjs,
  TRANSCRIPT_FORMAT,
  type Transcript,
} from '../src/ceremony/index.js';
import { sign } from '../src/ceremony/signing.js';
import { loadCircuitArtifacts, privacyReady, VerifyingKey } from '../src/privacy/index.js';
import { makeTinySetup, type TinySetup } from './helpers/ceremony-fixture.js';

// A three-party ceremony plus beacon on a 9-constraint circuit, then every tampering an auditor
// must catch, each on its own copy of the ceremony directory.

let setup: TinySetup;
let dir: string;
let out: string;
let copies = 0;
const alice = generateSigningKey();
const carol = generateSigningKey();

async function expectCode(promise: Promise<unknown>, code: CeremonyErrorCode, entry?: number): Promise<void> {
  const e = await promise.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, `expected ${code}`).toBeInstanceOf(CeremonyError);
  expect((e as CeremonyError).code, (e as Error).message).toBe(code);
  const { context } = e as CeremonyError;
  if (entry !== undefined) expect('entry' in context ? context.entry : undefined).toBe(entry);
}

async function copyOf(src: string): Promise<string> {
  const to = join(setup.work, `copy${copies++}`);
  await cp(src, to, { recursive: true });
  return to;
}

async function editTranscript(d: string, edit: (t: Transcript) => void): Promise<void> {
  const t = JSON.parse(await readFile(join(d, 'transcript.json'), 'utf8')) as Transcript;
  edit(t);
  await writeFile(join(d, 'transcript.json'), JSON.stringify(t, null, 2));
}

/** What a forger with write access does after an edit: renumber, relink and rehash every entry. */
function rechain(t: Transcript): void {
  let prev = '0'.repeat(64);
  t.entries.forEach((e, i) => {
    e.index = i;
    e.prev_entry_sha256 = prev;
    e.entry_sha256 = entryHash(e);
    prev = e.entry_sha256;
  });
}

async function flipByte(file: string, offsetFromEnd: number): Promise<void> {
  const data = await readFile(file);
  data[data.length - offsetFromEnd]! ^= 0x01;
  await writeFile(file, data);
}

const audit = (d: string, ptau = setup.ptau) => auditCeremony({ dir: d, ptau });

beforeAll(async () => {
  setup = await makeTinySetup();
  dir = join(setup.work, 'ceremony');
  out = join(setup.work, 'final');
  await initCeremony({
    dir,
    r1cs: setup.r1cs,
    ptau: setup.ptau,
    ptauProvenance: 'test: one contribution, no beacon',
    minContributions: 2,
  });
  await contribute({ dir, name: 'alice', signer: alice });
  await contribute({ dir, name: 'bob', typedEntropy: 'keyboard mash' });
  await contribute({ dir, name: 'carol', signer: carol });
  await beacon({ dir, beaconHex: 'ab'.repeat(32), iterationsExp: 10 });
});

afterAll(async () => {
  await releaseSnarkjs();
  if (setup) await rm(setup.work, { recursive: true, force: true });
});

describe('a three-party ceremony with a beacon', () => {
  it('verifies from r1cs and ptau', async () => {
    const { report } = await audit(dir);
    expect(report.contributions.map((c) => [c.index, c.kind, c.name])).toEqual([
      [1, 'contribution', 'alice'],
      [2, 'contribution', 'bob'],
      [3, 'contribution', 'carol'],
      [4, 'beacon', 'beacon'],
    ]);
    expect(report.contributions[0]!.signer).toBeDefined();
    expect(report.zkeysChecked).toBe(5);
    expect(report.finalized).toBe(false);
  });

  it('finalizes to keys the privacy module loads, and the finalized directory re-verifies', async () => {
    const wasm = join(setup.work, 'tiny.wasm');
    await writeFile(wasm, 'not a real witness generator');
    const r = await finalizeCeremony({ dir, ptau: setup.ptau, out, wasm });
    expect(r.files).toEqual([
      'tiny.wasm',
      'tiny.zkey',
      'tiny.r1cs',
      'verification_key.json',
      'verifying_key.bin',
      'transcript.json',
      'SHA256SUMS',
    ]);
    const t = JSON.parse(await readFile(join(out, 'transcript.json'), 'utf8')) as Transcript;
    expect([t.format, t.circuit, t.constraints]).toEqual([TRANSCRIPT_FORMAT, 'tiny', 9]);
    const artifacts = await loadCircuitArtifacts(out, 'tiny'); // checks SHA256SUMS
    await privacyReady();
    const chain = VerifyingKey.fromSnarkjs(artifacts.verifyingKey).toChainBytes();
    expect(new Uint8Array(await readFile(join(out, 'verifying_key.bin')))).toEqual(chain);
    const { report } = await audit(out);
    expect(report.finalized).toBe(true);
    expect(report.contributions).toHaveLength(4);
    await expectCode(finalizeCeremony({ dir: out, ptau: setup.ptau, out }), 'CEREMONY_CLOSED');
  });
});

describe('finalize refuses', () => {
  it('a transcript with no contribution, and a zkey with none fails verify', async () => {
    const d = await copyOf(dir);
    await editTranscript(d, (t) => {
      t.entries = t.entries.slice(0, 1);
    });
    for (const f of ['tiny_0001.zkey', 'tiny_0002.zkey', 'tiny_0003.zkey', 'tiny_0004.zkey'])
      await rm(join(d, f));
    await expectCode(finalizeCeremony({ dir: d, ptau: setup.ptau, out: join(d, 'out') }), 'TRANSCRIPT_EMPTY');
    await expectCode(audit(d), 'NO_CONTRIBUTION');
  });

  it('fewer contributions than required', async () => {
    await expectCode(
      finalizeCeremony({ dir, ptau: setup.ptau, out: join(setup.work, 'x'), minContributions: 4 }),
      'TOO_FEW_CONTRIBUTIONS',
    );
  });

  it('a ceremony whose files do not match the transcript', async () => {
    const d = await copyOf(dir);
    await flipByte(join(d, 'tiny_0004.zkey'), 100);
    await expectCode(
      finalizeCeremony({ dir: d, ptau: setup.ptau, out: join(d, 'out') }),
      'ZKEY_HASH_MISMATCH',
      4,
    );
  });

  it('a contribution after the beacon', async () => {
    await expectCode(contribute({ dir, name: 'late' }), 'CEREMONY_CLOSED', 4);
  });
});

describe('verify rejects', () => {
  it('a changed byte in an intermediate zkey', async () => {
    const d = await copyOf(dir);
    await flipByte(join(d, 'tiny_0002.zkey'), 40);
    await expectCode(audit(d), 'ZKEY_HASH_MISMATCH', 2);
  });

  it('a changed byte in the final zkey of a finalized directory', async () => {
    const d = await copyOf(out);
    await flipByte(join(d, 'tiny.zkey'), 40);
    await expectCode(audit(d), 'ZKEY_HASH_MISMATCH', 5);
  });

  it('a dropped entry', async () => {
    const d = await copyOf(dir);
    await editTranscript(d, (t) => {
      t.entries.splice(2, 1);
    });
    await expectCode(audit(d), 'ENTRY_MISSING', 2);
  });

  it('reordered entries', async () => {
    const d = await copyOf(dir);
    await editTranscript(d, (t) => {
      [t.entries[1], t.entries[2]] = [t.entries[2]!, t.entries[1]!];
    });
    await expectCode(audit(d), 'ENTRY_REORDERED', 1);
  });

  it('reordered entries renumbered and rechained by a forger', async () => {
    const d = await copyOf(dir);
    await editTranscript(d, (t) => {
      [t.entries[2], t.entries[3]] = [t.entries[3]!, t.entries[2]!];
      rechain(t);
    });
    // Each entry names the zkey it started from: moved, it no longer follows its predecessor.
    await expectCode(audit(d), 'CHAIN_BROKEN', 2);
  });

  it('an edited entry', async () => {
    const d = await copyOf(dir);
    await editTranscript(d, (t) => {
      t.entries[2]!.time = '2020-01-01T00:00:00.000Z';
    });
    await expectCode(audit(d), 'ENTRY_TAMPERED', 2);
  });

  it('a forged signature', async () => {
    const d = await copyOf(dir);
    const mallory = generateSigningKey();
    await editTranscript(d, (t) => {
      const e = t.entries[1]!;
      if (e.kind !== 'contribution') throw new Error('fixture');
      e.name = 'mallory';
      e.signature = sign(signingMessage(e), mallory); // keeps alice's public key
      rechain(t);
    });
    await expectCode(audit(d), 'SIGNATURE_INVALID', 1);
  });

  it('a claimed contribution re-signed by the forger under his own key', async () => {
    const d = await copyOf(dir);
    const mallory = generateSigningKey();
    await editTranscript(d, (t) => {
      const e = t.entries[3]!;
      if (e.kind !== 'contribution') throw new Error('fixture');
      e.name = 'mallory';
      e.signer_public_key = Buffer.from(mallory.publicKey).toString('hex');
      e.signature = sign(signingMessage(e), mallory);
      rechain(t);
    });
    // The chain is consistent, but the zkey itself records carol: snarkjs' own report disagrees.
    await expectCode(audit(d), 'CONTRIBUTION_MISMATCH', 3);
  });

  it("an edit rechained by a forger, through a later contributor's signature", async () => {
    const d = await copyOf(dir);
    await editTranscript(d, (t) => {
      t.entries[2]!.time = '2020-01-01T00:00:00.000Z';
      rechain(t);
    });
    // Carol signed her link to bob's original entry.
    await expectCode(audit(d), 'SIGNATURE_INVALID', 3);
  });

  it('a forged contribution hash', async () => {
    const d = await copyOf(dir);
    await editTranscript(d, (t) => {
      const e = t.entries[4]!;
      if (e.kind !== 'beacon') throw new Error('fixture');
      e.contribution_hash = 'f'.repeat(128);
      rechain(t);
    });
    await expectCode(audit(d), 'CONTRIBUTION_MISMATCH', 4);
  });

  it('a transcript truncated before its last step', async () => {
    const d = await copyOf(dir);
    await editTranscript(d, (t) => {
      t.entries.pop();
    });
    await expectCode(audit(d), 'TRANSCRIPT_TRUNCATED', 4);
  });

  it('a finalized transcript truncated before the beacon', async () => {
    const d = await copyOf(out);
    await editTranscript(d, (t) => {
      t.entries = t.entries.slice(0, 4);
    });
    await expectCode(audit(d), 'TRANSCRIPT_TRUNCATED', 4);
  });

  it('a transcript file cut short', async () => {
    const d = await copyOf(dir);
    await truncate(join(d, 'transcript.json'), 500);
    await expectCode(audit(d), 'TRANSCRIPT_MALFORMED');
  });

  it('a different phase-1 file', async () => {
    const other = join(setup.work, 'other.ptau');
    await cp(setup.ptau, other);
    await flipByte(other, 10);
    await expectCode(audit(dir, other), 'PTAU_MISMATCH', 0);
  });

  it('an exported verifying key that differs from the zkey', async () => {
    const d = await copyOf(out);
    await flipByte(join(d, 'verifying_key.bin'), 1);
    await expectCode(audit(d), 'EXPORT_MISMATCH', 5);
  });
});

describe('paraloom ceremony (CLI)', () => {
  const run = (...args: string[]) =>
    promisify(execFile)('node', ['bin/paraloom.js', 'ceremony', ...args]).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('verifies a finalized directory, and names the entry and code of a failure', async () => {
    const ok = await run('verify', '--dir', out, '--ptau', setup.ptau);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('#3');
    expect(ok.stdout).toContain('ceremony verified, finalized exports match');
    const d = await copyOf(out);
    await editTranscript(d, (t) => {
      t.entries.splice(3, 1);
    });
    const bad = await run('verify', '--dir', d, '--ptau', setup.ptau);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error [ENTRY_MISSING]: transcript entry #3');
  });
});
