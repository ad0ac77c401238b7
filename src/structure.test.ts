/**
 * The layout rules of src/, checked over the source text (no build needed):
 * - a module's only public face is its index.ts: a file in src/<a>/ reaches another module <b> through
 *   src/<b>/index.ts; tests and test support may also use src/<b>/testing/index.ts;
 * - test support (testing/ folders, *.test.ts, test/) is reached only from tests and test support;
 * - nothing in src/ imports the benches or the tools.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Violations known to be removed by another branch of issue 26, as "importer -> target" (paths from the
 * repository root); none on this branch. An entry that no longer matches a violation fails the test,
 * so the list cannot go stale.
 */
const ALLOWED: readonly string[] = [];

/** Every module specifier a file names: static imports and re-exports (type-only too) and dynamic import(). */
function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[\w*\s{},$]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  const found: string[] = [];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) found.push(match[1] as string);
  }
  return found;
}

const isTestCode = (path: string): boolean =>
  path.endsWith('.test.ts') || path.split('/').includes('testing') || path.startsWith('test/');

/** The module a src path belongs to (its first folder under src/), or undefined outside src/. */
function moduleOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

/**
 * The rule an import of `target` from `importer` breaks, or undefined. Both are paths relative to the
 * repository root with '/' separators, the target as a .ts source path.
 */
function layoutViolation(importer: string, target: string): string | undefined {
  if (target.startsWith('bench/') || target.startsWith('tools/')) return 'src imports a bench or a tool';
  const testImporter = isTestCode(importer);
  if (!testImporter && isTestCode(target)) return 'non-test code imports test code';
  const from = moduleOf(importer);
  const to = moduleOf(target);
  if (from === undefined || to === undefined || from === to) return undefined;
  if (target === `src/${to}/index.ts`) return undefined;
  if (testImporter && target === `src/${to}/testing/index.ts`) return undefined;
  return `reaches into module ${to} past its index.ts`;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

interface RelativeImport {
  importer: string;
  target: string;
}

/** Every relative import in src/, the target as a .ts source path relative to the repository root. */
function relativeImports(): RelativeImport[] {
  return sourceFiles('src').flatMap((importer) =>
    importSpecifiers(readFileSync(join(ROOT, importer), 'utf8'))
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => {
        const resolved = relative(ROOT, join(ROOT, posix.dirname(importer), specifier));
        return { importer, target: resolved.split(sep).join('/').replace(/\.js$/, '.ts') };
      }),
  );
}

describe('source layout', () => {
  it('reads every form of import and re-export, and nothing in comments', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from '../b/index.js';",
      'import {',
      '  c,',
      '  type D,',
      "} from './c.js';",
      "import * as e from './e.js';",
      "import './side-effect.js';",
      "export * from './f.js';",
      "export { g } from './g.js';",
      "export type { H } from './h.js';",
      "const i = await import('./i.js');",
      "// import { no } from './commented.js';",
      "/* export * from './block-commented.js'; */",
      "const text = 'we import from nowhere';",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(
      [
        './a.js',
        '../b/index.js',
        './c.js',
        './e.js',
        './side-effect.js',
        './f.js',
        './g.js',
        './h.js',
        './i.js',
      ].sort(),
    );
  });

  it('tells each broken rule apart from the allowed forms', () => {
    expect(layoutViolation('src/ledger/app.ts', 'src/bridge/index.ts')).toBeUndefined();
    expect(layoutViolation('src/ledger/app.ts', 'src/ledger/block.ts')).toBeUndefined();
    expect(layoutViolation('src/ledger/app.ts', 'src/bridge/instructions.ts')).toMatch(/past its index/);
    expect(layoutViolation('src/ledger/app.ts', 'src/bridge/testing/index.ts')).toMatch(/test code/);
    expect(layoutViolation('src/ledger/app.ts', 'src/ledger/testing/scenario.ts')).toMatch(/test code/);
    expect(layoutViolation('src/ledger/app.ts', 'test/helpers/paraloom-child.ts')).toMatch(/test code/);
    expect(layoutViolation('src/ledger/app.ts', 'tools/idl.ts')).toMatch(/bench or a tool/);
    expect(layoutViolation('src/ledger/app.ts', 'bench/l2/cluster.ts')).toMatch(/bench or a tool/);
    expect(layoutViolation('src/ledger/app.test.ts', 'src/bridge/testing/index.ts')).toBeUndefined();
    expect(layoutViolation('src/ledger/testing/scenario.ts', 'src/privacy/testing/index.ts')).toBeUndefined();
    expect(layoutViolation('src/ledger/app.test.ts', 'src/bridge/testing/fixture.ts')).toMatch(
      /past its index/,
    );
    expect(layoutViolation('src/ledger/app.test.ts', 'src/bridge/pda.ts')).toMatch(/past its index/);
  });

  it('holds in src/ (apart from the listed violations other branches remove)', () => {
    const imports = relativeImports();
    // The scan itself must see the tree: a known import of each kind is among what it read.
    expect(imports).toContainEqual({ importer: 'src/ledger/app.ts', target: 'src/privacy/index.ts' });
    expect(imports).toContainEqual({
      importer: 'src/ledger/app.test.ts',
      target: 'src/ledger/testing/index.ts',
    });
    const found = imports.flatMap(({ importer, target }) => {
      const rule = layoutViolation(importer, target);
      return rule === undefined ? [] : [`${importer} -> ${target}: ${rule}`];
    });
    const unexpected = found.filter((v) => !ALLOWED.some((allowed) => v.startsWith(`${allowed}:`)));
    const stale = ALLOWED.filter((allowed) => !found.some((v) => v.startsWith(`${allowed}:`)));
    expect(unexpected).toEqual([]);
    expect(stale).toEqual([]);
  });
});
