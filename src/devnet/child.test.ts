import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastWords, runParaloom } from './child.js';

describe('paraloom child processes', () => {
  it("quotes a child's last warnings and errors (an err by its message) and the end of its stderr", () => {
    const logs = [
      { level: 30, name: 'node', msg: 'started' },
      {
        level: 50,
        name: 'network',
        msg: 'listen failed',
        err: { type: 'Error', message: 'EADDRINUSE 127.0.0.1:9400', stack: 'at x' },
      },
      { level: 40, name: 'bridge', msg: 'rpc call failed', code: 'RPC_UNAVAILABLE', err: 'fetch failed' },
    ];
    expect(lastWords(logs, ['error [X]: boom'])).toBe(
      '; last words:\n  network listen failed EADDRINUSE 127.0.0.1:9400\n  bridge rpc call failed RPC_UNAVAILABLE fetch failed\n  error [X]: boom',
    );
    expect(lastWords([{ level: 30, msg: 'fine' }], [])).toBe('; it logged no warning or error');
  });

  it("names a child's own error when it exits before the awaited line", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paraloom-child-'));
    const config = join(dir, 'paraloom.toml');
    writeFileSync(config, '[node]\nno_such_key = 1\n');
    const child = runParaloom(['node', '--config', config]);
    const error = await child.waitFor('paraloom node started', 60_000).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CHILD_FAILED' });
    // The runner prints the message alone: the child's reason must be in it.
    expect((error as Error).message).toMatch(/^exited with 1 before "paraloom node started"; last words:\n/);
    expect((error as Error).message).toContain('node.no_such_key');
  }, 90_000);
});
