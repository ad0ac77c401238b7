import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Devnet, freeLoopbackPort } from './cohort.js';

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

describe('Devnet once stopped', () => {
  it('spawns nothing more: start, startValidator and waitHeight refuse with STOPPED', async () => {
    const dir = join(tmpdir(), `paraloom-devnet-stopped-${process.pid}`);
    const devnet = new Devnet({ dir, validators: 1 });
    expect(await devnet.stop()).toEqual({ killed: [], ms: expect.any(Number) });
    await expect(devnet.start()).rejects.toMatchObject({ code: 'STOPPED' });
    await expect(devnet.startValidator(0)).rejects.toMatchObject({ code: 'STOPPED' });
    await expect(devnet.waitHeight(1n, 1_000)).rejects.toMatchObject({ code: 'STOPPED' });
    // start() refused before creating its directory.
    expect(existsSync(dir)).toBe(false);
    devnet.kill();
  });
});
