import type { Logger } from '../common/index.js';
import type { Node, StopReport } from './lifecycle.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Resolves with the process exit status once SIGINT or SIGTERM has stopped the node: 0 after a
 * clean stop, 1 otherwise. A second signal while stopping gives up at once (status 1), the way an
 * operator's second Ctrl-C is meant.
 */
export function stopOnSignal(node: Node, logger: Logger): Promise<number> {
  return new Promise<number>((resolve) => {
    let report: Promise<StopReport> | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (report) {
        logger.error({ signal }, 'second signal while stopping: exiting now');
        resolve(1);
        return;
      }
      logger.info({ signal }, 'signal received: stopping');
      report = node.stop();
      void report.then((r) => {
        for (const s of SIGNALS) process.off(s, onSignal);
        resolve(r.clean ? 0 : 1);
      });
    };
    for (const s of SIGNALS) process.on(s, onSignal);
  });
}
