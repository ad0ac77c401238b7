/**
 * The program's TypeScript client, generated from the committed IDL (programs/paraloom/idl/paraloom.json)
 * with Codama into src/bridge/generated/. Never edit those files: change tools/idl.ts, run
 * `npx tsx tools/gen-idl.ts`, then `npm run generate:client`.
 *
 *   tsx scripts/generate-client.ts          rewrite src/bridge/generated/
 *   tsx scripts/generate-client.ts --check  regenerate into a temp dir; exit 1 when the committed files differ
 */
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnchorIdl, rootNodeFromAnchor } from '@codama/nodes-from-anchor';
import { renderVisitor } from '@codama/renderers-js';
import { createFromRoot } from 'codama';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const IDL_PATH = join(ROOT, 'programs/paraloom/idl/paraloom.json');
const CLIENT_DIR = join(ROOT, 'src/bridge/generated');

async function renderClient(outDir: string): Promise<void> {
  const idl = JSON.parse(readFileSync(IDL_PATH, 'utf8')) as AnchorIdl;
  await createFromRoot(rootNodeFromAnchor(idl)).accept(
    renderVisitor(outDir, {
      // Imports from @solana/kit only: our one Solana dependency, and the renderer leaves package.json alone.
      useGranularImports: false,
      prettierOptions: { singleQuote: true, printWidth: 110, trailingComma: 'all' },
    }),
  );
  addImportExtensions(outDir);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => statSync(join(dir, p)).isFile())
    .sort();
}

/**
 * The renderer writes extension-less relative imports (`'../programs'`), which a bundler resolves but Node's
 * ESM resolution and `moduleResolution: NodeNext` do not: point each at its `.js` file or `index.js`.
 */
function addImportExtensions(outDir: string): void {
  for (const file of listFiles(outDir).filter((p) => p.endsWith('.ts'))) {
    const path = join(outDir, file);
    const text = readFileSync(path, 'utf8').replace(
      /from '(\.{1,2}\/[^']*)'/g,
      (_match, spec: string) => `from '${withExtension(dirname(path), spec)}'`,
    );
    writeFileSync(path, text);
  }
}

function withExtension(fromDir: string, spec: string): string {
  const target = resolve(fromDir, spec);
  if (existsSync(join(target, 'index.ts'))) return `${spec}/index.js`;
  if (existsSync(`${target}.ts`)) return `${spec}.js`;
  throw new Error(`generated import ${spec} in ${fromDir} resolves to no file`);
}

/** Paths (relative to the client folder) that are missing on either side or differ in content. */
function differences(expectedDir: string, actualDir: string): string[] {
  const expected = listFiles(expectedDir);
  const actual = existsSync(actualDir) ? listFiles(actualDir) : [];
  const all = [...new Set([...expected, ...actual])].sort();
  return all.filter((p) => {
    if (!expected.includes(p) || !actual.includes(p)) return true;
    return readFileSync(join(expectedDir, p), 'utf8') !== readFileSync(join(actualDir, p), 'utf8');
  });
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const tmp = mkdtempSync(join(tmpdir(), 'paraloom-client-'));
  try {
    const out = join(tmp, 'generated');
    await renderClient(out);
    const diff = differences(out, CLIENT_DIR);
    const shown = relative(ROOT, CLIENT_DIR);
    if (check) {
      if (diff.length === 0) {
        console.log(`check:client: ${shown} matches the IDL`);
        return 0;
      }
      console.error(`check:client: ${shown} differs from what the IDL generates (npm run generate:client):`);
      for (const p of diff) console.error(`  ${p}`);
      return 1;
    }
    rmSync(CLIENT_DIR, { recursive: true, force: true });
    cpSync(out, CLIENT_DIR, { recursive: true });
    console.log(`generate:client: wrote ${shown} (${diff.length} file(s) changed)`);
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = await main();
