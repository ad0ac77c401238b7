import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onStopSignals, type StopSignal } from './signals.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function harness(echoMs: number) {
  const source = new EventEmitter();
  const seen: string[] = [];
  const dispose = onStopSignals(
    {
      stop: (s) => seen.push(`stop ${s}`),
      force: (s) => seen.push(`force ${s}`),
      ignored: (s, why) => seen.push(`ignored ${s} ${why}`),
    },
    { echoMs, source },
  );
  const send = (s: StopSignal) => source.emit(s, s);
  return { source, seen, dispose, send };
}

describe('onStopSignals', () => {
  it('stops on the first signal and takes the echoes of that Ctrl-C as the same one', () => {
    const h = harness(10_000);
    h.send('SIGINT');
    h.send('SIGINT');
    h.send('SIGTERM');
    expect(h.seen).toEqual(['stop SIGINT', 'ignored SIGINT echo', 'ignored SIGTERM echo']);
  });

  it('gives up the graceful stop on a later SIGINT, but not on a later SIGTERM', async () => {
    const h = harness(20);
    h.send('SIGTERM');
    await sleep(40);
    h.send('SIGTERM');
    h.send('SIGINT');
    expect(h.seen).toEqual(['stop SIGTERM', 'ignored SIGTERM already-stopping', 'force SIGINT']);
  });

  it('listens no more once disposed', () => {
    const h = harness(20);
    h.dispose();
    expect(h.source.listenerCount('SIGINT') + h.source.listenerCount('SIGTERM')).toBe(0);
    h.send('SIGINT');
    expect(h.seen).toEqual([]);
  });
});
