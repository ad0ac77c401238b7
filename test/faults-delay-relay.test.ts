/**
 * The fault lab's delay relay over real TCP on loopback: a round trip through it costs twice its
 * delay, bytes arrive complete and in order under jitter and stalls, and a cut drops connections and
 * refuses new ones until restored.
 */
import { connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../src/common/testing/index.js';
import { DelayRelay } from '../tools/faults/delay-relay.js';

let echo: Server;
let echoPort = 0;

beforeAll(async () => {
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  echoPort = (echo.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((r) => echo.close(r));
});

/** Sends `payload` through the relay and resolves with what comes back and the time it took. */
function roundTrip(port: number, payload: Buffer): Promise<{ data: Buffer; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const s = connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    let got = 0;
    s.on('data', (d: Buffer) => {
      parts.push(d);
      got += d.length;
      if (got >= payload.length) {
        s.end();
        resolve({ data: Buffer.concat(parts), ms: performance.now() - started });
      }
    });
    s.on('error', reject);
    s.on('close', () => {
      if (got < payload.length) reject(new Error(`closed after ${got} of ${payload.length} bytes`));
    });
    // Written in pieces, so the relay forwards several chunks that must stay in order.
    for (let i = 0; i < payload.length; i += 1000) s.write(payload.subarray(i, i + 1000));
  });
}

describe('delay relay (user-space netem stand-in)', () => {
  it('a round trip costs twice the delay; bytes arrive whole and in order under jitter and stalls', async () => {
    const relay = new DelayRelay({ host: '127.0.0.1', port: echoPort }, { delayMs: 50 });
    const port = await relay.start('127.0.0.1');
    try {
      const small = await roundTrip(port, Buffer.from('ping'));
      expect(small.data.toString()).toBe('ping');
      expect(small.ms).toBeGreaterThanOrEqual(100);

      relay.set({ delayMs: 5, jitterMs: 20, stallRate: 0.2, stallMs: 30, random: seededRandom(7) });
      const payload = Buffer.from(Array.from({ length: 50_000 }, (_, i) => i % 251));
      const big = await roundTrip(port, payload);
      expect(big.data.equals(payload)).toBe(true);
    } finally {
      await relay.stop();
    }
  });

  it('keeps order when many chunks arrive apart under jitter and stalls (one timer per chunk did not)', async () => {
    const relay = new DelayRelay(
      { host: '127.0.0.1', port: echoPort },
      { delayMs: 2, jitterMs: 15, stallRate: 0.2, stallMs: 25, random: seededRandom(11) },
    );
    const port = await relay.start('127.0.0.1');
    try {
      const payload = Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 7) % 253));
      const back = await new Promise<Buffer>((resolve, reject) => {
        const s = connect(port, '127.0.0.1');
        const parts: Buffer[] = [];
        let got = 0;
        s.on('data', (d: Buffer) => {
          parts.push(d);
          got += d.length;
          if (got >= payload.length) {
            s.end();
            resolve(Buffer.concat(parts));
          }
        });
        s.on('error', reject);
        // 200-byte pieces written a moment apart: each reaches the relay as a chunk of its own.
        let at = 0;
        const next = () => {
          if (at >= payload.length) return;
          s.write(payload.subarray(at, at + 200));
          at += 200;
          setImmediate(next);
        };
        s.once('connect', next);
      });
      expect(back.length).toBe(payload.length);
      expect(back.equals(payload)).toBe(true);
    } finally {
      await relay.stop();
    }
  });

  it('a cut drops the connection and refuses new ones until restored', async () => {
    const relay = new DelayRelay({ host: '127.0.0.1', port: echoPort }, { delayMs: 1 });
    const port = await relay.start('127.0.0.1');
    try {
      const open = connect(port, '127.0.0.1');
      await new Promise((r) => open.once('connect', r));
      const closed = new Promise((r) => open.once('close', r));
      relay.cut();
      await closed;
      await expect(roundTrip(port, Buffer.from('x'))).rejects.toThrow();
      relay.restore();
      expect((await roundTrip(port, Buffer.from('back'))).data.toString()).toBe('back');
    } finally {
      await relay.stop();
    }
  });
});
