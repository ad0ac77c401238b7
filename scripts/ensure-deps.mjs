// Runs before `npm start` / `npm test`: on a fresh clone, installs the locked dependencies so the
// README's two commands are all a new machine needs. Plain JS: it runs before tsx exists.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs + 1000;
if (stale) {
  // `npm install` with the committed lock, not `npm ci`: the registry mirror lacks litesvm's
  // optional binaries for other platforms, and npm ci refuses a lock without their entries.
  console.error('paraloom: installing dependencies (npm install from the lock)...');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
