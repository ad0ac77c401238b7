import { describe, expect, it } from 'vitest';
import { randomField } from './field.js';
import { generateWalletKeys } from './keys.js';
import { NATIVE_ASSET, type Note, noteCommitment } from './note.js';
import { encryptNote } from './note-encryption.js';
import { TrialDecryptionPool } from './trial-decryption-pool.js';

describe('trial decryption pool', () => {
  it('answers exactly the outputs that open for the keys, in order, across workers', async () => {
    const me = generateWalletKeys();
    const stranger = generateWalletKeys();
    const outputs = Array.from({ length: 41 }, (_, i) => {
      const owner = i % 5 === 2 ? me : stranger;
      const note: Note = { amount: BigInt(i), pkD: owner.pkD0, blinding: randomField(), asset: NATIVE_ASSET };
      return { leafIndex: i, commitment: noteCommitment(note), envelope: encryptNote(note, owner.address) };
    });
    // A malformed envelope and one of ours under the wrong commitment open for nobody.
    outputs.push({ leafIndex: 41, commitment: randomField(), envelope: new Uint8Array(7) });
    outputs.push({ leafIndex: 42, commitment: randomField(), envelope: outputs[2]!.envelope });
    const pool = new TrialDecryptionPool(me, 2);
    await expect(pool.opening(outputs)).rejects.toMatchObject({ code: 'TRIAL_DECRYPTION_FAILED' });
    await pool.start();
    try {
      const opened = await pool.opening(outputs);
      expect(opened.map((o) => o.leafIndex)).toEqual([2, 7, 12, 17, 22, 27, 32, 37]);
      expect(await pool.opening([])).toEqual([]);
    } finally {
      await pool.stop();
    }
  });
});
