// Runs before `npm start` / `npm test`: on a fresh clone, installs the locked dependencies so the
// README's two commands are all a new machine needs; then builds the CLI bundle (bin/bundle-cache.mjs)
// unless it is current, so no `paraloom` call pays for the build. `npm install` runs this too, as
// `prepare`, with --build-only (npm is installing already). Plain JS: it runs before tsx exists.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const buildOnly = process.argv.includes('--build-only');
const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs + 1000;
if (stale && !buildOnly) {
  // `npm install` with the committed lock, not `npm ci`: the registry mirror lacks litesvm's
  // optional binaries for other platforms, and npm ci refuses a lock without their entries.
  console.error('paraloom: installing dependencies (npm install from the lock)...');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (process.env.PARALOOM_NO_BUNDLE !== '1') {
  try {
    const { buildCli } = await import('../bin/bundle-cache.mjs');
    await buildCli();
  } catch (err) {
    // Not fatal: bin/paraloom.js builds on first use, or runs the sources through tsx.
    console.error(
      `paraloom: CLI bundle not built now (${err instanceof Error ? err.message : String(err)}); the first command will try again`,
    );
  }
}
