import { address, generateKeyPairSigner } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { loadParaloomProgram } from '../genesis.js';
import { writeInstruction } from './loader.js';
import { PACKET_DATA_SIZE, wireSize, writeChunkBytes } from './wire.js';

describe('buffer write chunks', () => {
  it('fill a packet exactly: the chunk fits in 1,232 bytes and one byte more does not', async () => {
    const buffer = address('11111111111111111111111111111112');
    const payer = await generateKeyPairSigner();
    const other = await generateKeyPairSigner();
    for (const authority of [payer, other]) {
      const chunk = writeChunkBytes(payer, authority, buffer);
      const size = (n: number) =>
        wireSize(payer, [writeInstruction(buffer, authority, 0, new Uint8Array(n))]);
      expect(size(chunk)).toBeLessThanOrEqual(PACKET_DATA_SIZE);
      expect(size(chunk + 1)).toBeGreaterThan(PACKET_DATA_SIZE);
    }
    // A second signer (an authority other than the payer) costs its signature and its address.
    expect(writeChunkBytes(payer, payer, buffer) - writeChunkBytes(payer, other, buffer)).toBe(64 + 32);
  });

  it('cover the committed program with every write within the packet', async () => {
    const payer = await generateKeyPairSigner();
    const buffer = address('11111111111111111111111111111112');
    const elf = loadParaloomProgram();
    const chunk = writeChunkBytes(payer, payer, buffer);
    let covered = 0;
    for (let offset = 0; offset < elf.length; offset += chunk) {
      const part = elf.subarray(offset, offset + chunk);
      expect(wireSize(payer, [writeInstruction(buffer, payer, offset, part)])).toBeLessThanOrEqual(
        PACKET_DATA_SIZE,
      );
      covered += part.length;
    }
    expect(covered).toBe(elf.length);
  });
});
