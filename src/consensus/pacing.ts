import type { ConsensusApplication } from './engine.js';

/** An application that can say when it has something to put in a block. */
export interface WorkAwareApplication extends ConsensusApplication {
  /** Resolves once there is work for a block (at once if there is some), or after `ms`. */
  waitForWork(ms: number): Promise<void>;
}

export interface PacingOptions {
  /** The least time from one commit to the next first-round proposal. */
  readonly intervalMs: number;
  /** How long a first-round leader waits for work before it proposes an empty block. */
  readonly idleMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Paces proposals: Tendermint starts the next height at once, which would make empty blocks as
 * fast as the disk syncs. The leader of a first round proposes `intervalMs` after the last commit
 * when there is something to include, and waits for work up to `idleMs` (under the propose
 * timeout, so no round is lost) before it proposes an empty block; later rounds propose at once.
 */
export function pacedApplication(app: WorkAwareApplication, pacing: PacingOptions): ConsensusApplication {
  // When the last commit started: the decision, give or take, which is when every validator's
  // propose timeout for the next height started. A slow commit must not push the proposal later.
  let lastCommit = 0;
  return {
    async buildProposal(height, round, previousHash) {
      const wait = lastCommit + pacing.intervalMs - Date.now();
      if (round === 0 && wait > 0) await sleep(wait);
      const idle = lastCommit + pacing.idleMs - Date.now();
      if (round === 0) await app.waitForWork(idle);
      return app.buildProposal(height, round, previousHash);
    },
    validateProposal: (height, round, bytes) => app.validateProposal(height, round, bytes),
    async commit(height, bytes, certificate) {
      lastCommit = Date.now();
      await app.commit(height, bytes, certificate);
    },
  };
}
