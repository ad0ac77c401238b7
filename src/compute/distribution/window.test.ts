import { describe, expect, it } from 'vitest';
import { MAX_EXECUTORS } from '../limits.js';
import { newJobChain } from './chain-state.js';
import { retryIfDue } from './transitions.js';
import { computeWindowStart, MAX_JOB_LIFETIME_BLOCKS } from './window.js';

describe('compute window of a snapshot', () => {
  it('outlasts the longest-lived job: every executor silent, one backup at a time', () => {
    const ranked = Array.from({ length: MAX_EXECUTORS }, (_, i) => new Uint8Array(32).fill(i + 1));
    const admitted = 1_000n;
    let chain = newJobChain(ranked, 1, admitted);
    let h = admitted;
    while (chain.status === 'admitted') {
      h++;
      chain = retryIfDue(chain, h)?.chain ?? chain;
    }
    expect(chain.status).toBe('failed');
    // Finished by the block admitted + MAX_JOB_LIFETIME_BLOCKS: a job live after H was admitted
    // above H - MAX_JOB_LIFETIME_BLOCKS, inside the window.
    expect(h).toBe(admitted + MAX_JOB_LIFETIME_BLOCKS);
    expect(computeWindowStart(h - 1n)).toBeLessThanOrEqual(admitted);
  });

  it('starts at block 1 on a short chain', () => {
    expect(computeWindowStart(1n)).toBe(1n);
    expect(computeWindowStart(MAX_JOB_LIFETIME_BLOCKS)).toBe(1n);
    expect(computeWindowStart(MAX_JOB_LIFETIME_BLOCKS + 5n)).toBe(5n);
  });
});
