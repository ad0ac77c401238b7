import type { Logger } from '../common/index.js';
import type { Node, StopReport } from './lifecycle.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/**
 * One Ctrl-C can reach a process more than once: the terminal signals the whole foreground process
 * group, and npm and tsx forward the SIGINT they received to their child as well (tsx when its
 * child does not confirm within 30 ms). Signals this soon after the first are that same Ctrl-C.
 */
export const SIGNAL_ECHO_MS = 1_000;

export interface StopSignalHandlers {
  /** The first SIGINT or SIGTERM: stop gracefully. */
  readonly stop: (signal: StopSignal) => void;
  /** A SIGINT after the first signal's echoes, a person's second Ctrl-C: give up the graceful stop. */
  readonly force: (signal: StopSignal) => void;
  /**
   * A signal that changes nothing: an echo of the first, or a SIGTERM while already stopping (a
   * supervisor or a parent process asking for the stop under way; the stop has its own deadline).
   */
  readonly ignored?: (signal: StopSignal, why: 'echo' | 'already-stopping') => void;
}

/** Where signals come from: the process, or an emitter standing in for it in unit tests. */
export interface SignalSource {
  on(signal: StopSignal, listener: (signal: StopSignal) => void): unknown;
  off(signal: StopSignal, listener: (signal: StopSignal) => void): unknown;
}

/** Routes SIGINT and SIGTERM to `handlers` until the returned function removes them. */
export function onStopSignals(
  handlers: StopSignalHandlers,
  options: { readonly echoMs?: number; readonly source?: SignalSource } = {},
): () => void {
  const echoMs = options.echoMs ?? SIGNAL_ECHO_MS;
  const source: SignalSource = options.source ?? process;
  let firstAt: number | undefined;
  const onSignal = (signal: StopSignal) => {
    const now = performance.now();
    if (firstAt === undefined) {
      firstAt = now;
      handlers.stop(signal);
    } else if (now - firstAt < echoMs) handlers.ignored?.(signal, 'echo');
    else if (signal === 'SIGTERM') handlers.ignored?.(signal, 'already-stopping');
    else handlers.force(signal);
  };
  for (const s of STOP_SIGNALS) source.on(s, onSignal);
  return () => {
    for (const s of STOP_SIGNALS) source.off(s, onSignal);
  };
}

/**
 * Resolves with the process exit status once SIGINT or SIGTERM has stopped the node: 0 after a
 * clean stop, 1 otherwise. A second Ctrl-C while stopping gives up at once (status 1); a SIGTERM
 * while stopping (the devnet stopping a validator that the terminal's Ctrl-C already reached) and
 * the echoes of the first Ctrl-C change nothing.
 */
export function stopOnSignal(node: Node, logger: Logger): Promise<number> {
  return new Promise<number>((resolve) => {
    let report: Promise<StopReport> | undefined;
    const dispose = onStopSignals({
      stop: (signal) => {
        logger.info({ signal }, 'signal received: stopping');
        report = node.stop();
        void report.then((r) => {
          dispose();
          resolve(r.clean ? 0 : 1);
        });
      },
      force: (signal) => {
        logger.error({ signal }, 'second Ctrl-C while stopping: exiting now');
        resolve(1);
      },
      ignored: (signal, why) => logger.info({ signal, why }, 'signal ignored: the stop is under way'),
    });
  });
}
