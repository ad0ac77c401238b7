import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { NodeStorage, StorageError } from '../src/storage/index.js';

const CHILD = join(import.meta.dirname, 'fixtures', 'storage-crash-child.ts');

describe('data directory lock across processes', () => {
  it('refuses to open a directory another process holds, and opens it once that process dies', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paraloom-lock-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'hold', dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const rl = createInterface({ input: child.stdout });
      await new Promise<void>((resolve, reject) => {
        rl.on('line', (l) => l === 'OPEN' && resolve());
        child.once('exit', () => reject(new Error('child exited before opening')));
      });
      const err = await NodeStorage.open(dir, { logger: pino({ level: 'silent' }) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).code).toBe('DB_LOCKED');
      expect((err as StorageError).message).toMatch(/locked/);
      child.kill('SIGKILL');
      await exited;
      const storage = await NodeStorage.open(dir, { logger: pino({ level: 'silent' }) });
      await storage.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
