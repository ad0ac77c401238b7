/** Shared by this module's tests: a throw-away data directory and a quiet logger. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';

export const quietLogger = pino({ level: 'silent' });

export async function tempDir(name: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `paraloom-${name}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
