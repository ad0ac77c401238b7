/**
 * Builds the dashboard front-end (dashboard/index.html + dashboard/src) with Vite into
 * dashboard/dist, which is committed: the node serves it without building anything at install or
 * start. `npm run build:dashboard` after editing dashboard/src; src/dashboard/bundle.test.ts fails
 * while the committed bundle differs from a fresh build.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const DASHBOARD_ROOT = fileURLToPath(new URL('../dashboard/', import.meta.url));

export async function buildDashboard(outDir = fileURLToPath(new URL('../dashboard/dist/', import.meta.url))) {
  await build({
    root: DASHBOARD_ROOT,
    base: './',
    logLevel: 'warn',
    configFile: false,
    build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDashboard();
}
