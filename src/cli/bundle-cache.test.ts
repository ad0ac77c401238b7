import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceHash } from '../../bin/bundle-cache.mjs';

describe("the CLI bundle's key", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'paraloom-bundle-key-'));
    await mkdir(join(root, 'src', 'cli'), { recursive: true });
    await writeFile(join(root, 'src', 'cli', 'main.ts'), 'export const a = 1;\n');
    await writeFile(join(root, 'tsconfig.json'), '{}');
    await writeFile(join(root, 'package.json'), '{}');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('is stable while nothing changes', () => {
    expect(sourceHash(root, '0.25.0')).toBe(sourceHash(root, '0.25.0'));
  });

  it('changes with a source edit, a new source file, tsconfig, package.json and the esbuild version', async () => {
    const seen = new Set([sourceHash(root, '0.25.0')]);
    const expectNew = () => {
      const key = sourceHash(root, '0.25.0');
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    };
    await writeFile(join(root, 'src', 'cli', 'main.ts'), 'export const a = 2;\n');
    expectNew();
    await mkdir(join(root, 'src', 'common'));
    await writeFile(join(root, 'src', 'common', 'index.ts'), '');
    expectNew();
    await writeFile(join(root, 'tsconfig.json'), '{"compilerOptions":{}}');
    expectNew();
    await writeFile(join(root, 'package.json'), '{"type":"module"}');
    expectNew();
    expect(seen.has(sourceHash(root, '0.25.1'))).toBe(false);
  });

  it('tells a moved file from an unchanged tree', async () => {
    const before = sourceHash(root, '0.25.0');
    await rm(join(root, 'src', 'cli', 'main.ts'));
    await writeFile(join(root, 'src', 'cli', 'entry.ts'), 'export const a = 1;\n');
    expect(sourceHash(root, '0.25.0')).not.toBe(before);
  });
});
