/**
 * The fault lab's network namespaces, for real: hosts on a bridge reach each other over TCP; a
 * partition cuts exactly the pairs across groups and heals; a link taken down cuts its host; teardown
 * leaves nothing, and a sweep removes what a dead run left. Needs root and `ip netns` (CI has both);
 * skipped with the reason otherwise.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labUnavailable, NetnsLab, PREFIX, sweep } from '../tools/faults/netns.js';

const unavailable = await labUnavailable();
let lab: NetnsLab | undefined;

const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

/** Runs a one-line TCP client in `from` against `to`: 'pong', or the error code it met. */
async function probe(from: string, to: string): Promise<string> {
  const target = lab!.host(to).address;
  const script = `const s=require('net').connect({host:'${target}',port:7000,timeout:700});
s.on('data',d=>{process.stdout.write(String(d));process.exit(0)});
s.on('timeout',()=>{process.stdout.write('TIMEOUT');process.exit(0)});
s.on('error',e=>{process.stdout.write(e.code||'ERROR');process.exit(0)});`;
  const child = lab!.spawn(from, process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await new Promise((r) => child.on('close', r));
  return out;
}

describe.skipIf(unavailable !== undefined)(
  `fault lab namespaces${unavailable ? ` (${unavailable})` : ''}`,
  () => {
    beforeAll(async () => {
      lab = await NetnsLab.create(['a', 'b', 'c']);
      for (const h of ['a', 'b', 'c']) {
        const host = lab.host(h).address;
        const server = lab.spawn(
          h,
          process.execPath,
          [
            '-e',
            `require('net').createServer(s=>s.end('pong')).listen(7000,'${host}',()=>console.log('up'))`,
          ],
          { stdio: ['ignore', 'pipe', 'ignore'] },
        );
        await new Promise((r) => server.stdout!.once('data', r));
      }
    }, 60_000);
    afterAll(async () => {
      await lab?.teardown();
    });

    it('hosts reach each other; a partition cuts exactly the pairs across groups and heals', async () => {
      expect(await probe('a', 'b')).toBe('pong');
      expect(await probe('c', 'a')).toBe('pong');
      await lab!.partition([['a'], ['b', 'c']]);
      expect(await probe('a', 'b')).not.toBe('pong');
      expect(await probe('b', 'a')).not.toBe('pong');
      expect(await probe('b', 'c')).toBe('pong');
      await lab!.heal();
      expect(await probe('a', 'b')).toBe('pong');
      expect(await probe('b', 'a')).toBe('pong');
    });

    it('a link taken down cuts its host until it is up again', async () => {
      await lab!.link('c', false);
      expect(await probe('a', 'c')).not.toBe('pong');
      expect(await probe('a', 'b')).toBe('pong');
      await lab!.link('c', true);
      expect(await probe('a', 'c')).toBe('pong');
    });

    it('teardown removes every namespace of the lab; a sweep removes those of a dead run', async () => {
      const dead = `${PREFIX}999999999-zzzzz-0`;
      execFileSync('ip', ['netns', 'add', dead]);
      expect(await sweep()).toContain(dead);
      expect(namespaces()).not.toContain(dead);
      // The live lab is spared: its run's process is this one.
      expect(namespaces()).toContain(lab!.runId);
      const other = await NetnsLab.create(['x']);
      expect(namespaces()).toContain(other.runId);
      await other.teardown();
      expect(namespaces()).not.toContain(other.runId);
    });
  },
);
