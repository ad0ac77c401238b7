import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort } from './cohort.js';

describe('freeLoopbackPort', () => {
  const RANGE = '/proc/sys/net/ipv4/ip_local_port_range';
  it.runIf(existsSync(RANGE))(
    'hands out bindable loopback ports below the kernel ephemeral range',
    async () => {
      const start = Number(readFileSync(RANGE, 'utf8').trim().split(/\s+/)[0]);
      const ports = await Promise.all(Array.from({ length: 20 }, () => freeLoopbackPort()));
      for (const port of ports) {
        expect(port).toBeGreaterThanOrEqual(10_000);
        expect(port).toBeLessThan(start);
      }
      // Each one binds now.
      for (const port of ports.slice(0, 3)) {
        const srv = createServer();
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen(port, '127.0.0.1', resolve);
        });
        await new Promise((r) => srv.close(r));
      }
    },
  );
});
