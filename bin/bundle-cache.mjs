// The CLI's sources as one esbuild bundle (split at each dynamic import) in .cache/cli/<hash of the
// sources>/, built at install (`npm install` runs `prepare`; `npm start` / `npm test` run
// scripts/ensure-deps.mjs) and rebuilt on first use after a source change. Loading it with plain
// Node skips tsx's per-module hooks, which cost about half of a command's start-up CPU. src/ stays
// the only source of truth: the key covers every file under src/, tsconfig.json, package.json and
// the esbuild version, so any edit builds a new bundle; a failed build falls back to tsx.
//
// Every call must know the bundle is current without paying for it: hashing 3 MB of sources and
// loading esbuild cost ~200 ms. So .cache/cli/current.json remembers the key together with a cheap
// stamp of the inputs (their count, sizes and newest mtime, from one stat each); a matching stamp
// skips both. Any edit changes the stamp (a touch without an edit only costs one hash).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = join(ROOT, '.cache', 'cli');
const ENTRY = join(ROOT, 'src', 'cli', 'main.ts');
/** Bundles of older sources are removed once this old: a process still running one may load a chunk late. */
const KEEP_OLD_MS = 7 * 24 * 3600_000;

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

function inputFiles(root) {
  return [
    ...sourceFiles(join(root, 'src')),
    join(root, 'tsconfig.json'),
    join(root, 'package.json'),
    join(root, 'node_modules', 'esbuild', 'package.json'),
  ];
}

/** Changes whenever an input is added, removed, resized or modified (mtime); one stat per file. */
export function inputStamp(root) {
  let newest = 0;
  let bytes = 0;
  const files = inputFiles(root);
  for (const path of files) {
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) continue;
    newest = Math.max(newest, info.mtimeMs);
    bytes += info.size;
  }
  return `${files.length}:${bytes}:${newest}`;
}

const CURRENT = join(CACHE, 'current.json');

function readCurrent() {
  try {
    const c = JSON.parse(readFileSync(CURRENT, 'utf8'));
    return typeof c.key === 'string' && typeof c.stamp === 'string' ? c : undefined;
  } catch {
    return undefined; // no bundle recorded yet (or a torn write by an older version): hash instead
  }
}

function writeCurrent(key, stamp) {
  const tmp = `${CURRENT}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ key, stamp }));
  renameSync(tmp, CURRENT);
}

/** The bundle's key: every file under `root`/src (path and content), tsconfig.json, package.json, esbuild's version. */
export function sourceHash(root, esbuildVersion) {
  const hash = createHash('sha256').update(`esbuild ${esbuildVersion}\n`);
  const files = [...sourceFiles(join(root, 'src')), join(root, 'tsconfig.json'), join(root, 'package.json')];
  for (const path of files) hash.update(`${relative(root, path)}\n`).update(readFileSync(path));
  return hash.digest('hex').slice(0, 20);
}

/**
 * A bundled module's import.meta.url would name the bundle; sources find keys, programs, assets
 * and worker entries relative to their own file, so each gets its original location back.
 */
const keepImportMeta = {
  name: 'keep-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta')) return undefined;
      const contents = source
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path));
      return { contents, loader: 'ts' };
    });
  },
};

async function pruneOld(current) {
  for (const name of await readdir(CACHE).catch(() => [])) {
    if (name === current || name.startsWith('current.json')) continue;
    const path = join(CACHE, name);
    const info = await stat(path).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > KEEP_OLD_MS) await rm(path, { recursive: true, force: true });
  }
}

const esbuildVersion = () =>
  JSON.parse(readFileSync(join(ROOT, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version;

/** The bundle's entry URL, built now if the sources changed; undefined (with a reason on stderr) if it cannot be. */
export async function bundledCli() {
  if (process.env.PARALOOM_NO_BUNDLE === '1') return undefined;
  try {
    return await buildCli();
  } catch (err) {
    console.error(
      `paraloom: running the sources through tsx (CLI bundle not built: ${err instanceof Error ? err.message : String(err)})`,
    );
    return undefined;
  }
}

/** Builds the bundle unless the current one matches the sources; returns its entry URL. Throws if it cannot. */
export async function buildCli() {
  const stamp = inputStamp(ROOT);
  const current = readCurrent();
  if (current?.stamp === stamp) {
    const main = join(CACHE, current.key, 'main.js');
    if (statSync(main, { throwIfNoEntry: false })) return pathToFileURL(main).href;
  }
  const key = sourceHash(ROOT, esbuildVersion());
  const dir = join(CACHE, key);
  const main = join(dir, 'main.js');
  if (!statSync(main, { throwIfNoEntry: false })) {
    const esbuild = await import('esbuild');
    // Several processes may start at once (a devnet's validators): each builds aside, one rename wins.
    const building = `${dir}.building-${process.pid}`;
    await esbuild.build({
      entryPoints: { main: ENTRY },
      outdir: building,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      tsconfig: join(ROOT, 'tsconfig.json'),
      sourcemap: 'linked',
      plugins: [keepImportMeta],
      logLevel: 'silent',
    });
    try {
      renameSync(building, dir);
    } catch (err) {
      // Another process finished first (the target exists and is not empty): use its bundle.
      rmSync(building, { recursive: true, force: true });
      if (!statSync(main, { throwIfNoEntry: false })) throw err;
    }
    await pruneOld(key);
  }
  writeCurrent(key, stamp);
  return pathToFileURL(main).href;
}
