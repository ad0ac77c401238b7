import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LOGGER = fileURLToPath(new URL('./logger.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

describe('createLogger', () => {
  it('writes the lines of every logger to stdout in call order, up to process.exit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paraloom-logger-'));
    try {
      const script = join(dir, 'emit.ts');
      // Alternating loggers, then an immediate exit: with per-logger asynchronous buffers the lines
      // came out grouped by logger, and the exit flush could overtake a write in flight.
      writeFileSync(
        script,
        `import { createLogger } from ${JSON.stringify(LOGGER)};
const loggers = [createLogger('a'), createLogger('b'), createLogger('c')];
for (let i = 0; i < 3000; i++) loggers[i % 3]!.info({ seq: i }, 'line');
process.exit(0);
`,
      );
      const out = spawnSync(TSX, [script], {
        encoding: 'utf8',
        env: { ...process.env, VITEST: '', PARALOOM_LOG_LEVEL: 'info' },
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(out.status).toBe(0);
      const seqs = out.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => (JSON.parse(l) as { seq: number }).seq);
      expect(seqs).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
