import { describe, expect, it } from 'vitest';
import { pacedApplication, type WorkAwareApplication } from './index.js';

/** An application that records when proposals were built and how long it was asked to wait. */
function app() {
  const built: { round: number; at: number }[] = [];
  const waits: number[] = [];
  const inner: WorkAwareApplication = {
    async buildProposal(_height, round) {
      built.push({ round, at: Date.now() });
      return { hash: new Uint8Array(32).fill(1), bytes: Uint8Array.of(1) };
    },
    async validateProposal() {
      return { ok: true, hash: new Uint8Array(32).fill(1) };
    },
    async commit() {},
    async waitForWork(ms) {
      waits.push(ms);
    },
  };
  return { inner, built, waits };
}

describe('pacedApplication', () => {
  it('a first round proposes no earlier than the interval after the last commit; later rounds at once', async () => {
    const { inner, built, waits } = app();
    const paced = pacedApplication(inner, { intervalMs: 150, idleMs: 400 });
    await paced.commit(1n, Uint8Array.of(1), Uint8Array.of(2));
    const committed = Date.now();
    await paced.buildProposal(2n, 0, new Uint8Array(32));
    expect(built[0]!.at - committed).toBeGreaterThanOrEqual(140);
    // It waits for work for the rest of the idle period, not the whole of it again.
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(400 - 140);
    const before = Date.now();
    await paced.buildProposal(2n, 1, new Uint8Array(32));
    expect(built[1]!.at - before).toBeLessThan(100);
    expect(waits).toHaveLength(1);
  });
});
