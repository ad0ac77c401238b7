import { address } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { BridgeError } from '../bridge/index.js';
import { chainRead } from './chain-read.js';
import { HttpError } from './errors.js';

describe('chainRead', () => {
  it('answers 503 CHAIN_UNAVAILABLE when Solana does not answer', async () => {
    for (const err of [
      new BridgeError('RPC_TIMEOUT', 'slow', { method: 'getAccountInfo' }),
      new BridgeError('RPC_UNAVAILABLE', 'down', { method: 'getAccountInfo' }),
    ]) {
      const refused = await chainRead(() => Promise.reject(err)).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(HttpError);
      expect(refused).toMatchObject({ status: 503, code: 'CHAIN_UNAVAILABLE' });
    }
  });

  it('passes every other failure through unchanged, and values as they are', async () => {
    const notInitialized = new BridgeError('BRIDGE_NOT_INITIALIZED', 'no state', {
      programId: address('11111111111111111111111111111111'),
    });
    await expect(chainRead(() => Promise.reject(notInitialized))).rejects.toBe(notInitialized);
    const plain = new Error('bug');
    await expect(chainRead(() => Promise.reject(plain))).rejects.toBe(plain);
    await expect(chainRead(async () => 7)).resolves.toBe(7);
  });
});
