import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runParaloom } from './child.js';

describe('paraloom child processes', () => {
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
