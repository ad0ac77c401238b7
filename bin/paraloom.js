#!/usr/bin/env node
// Runs the TypeScript sources: as the bundle `npm install` built from them (bin/bundle-cache.mjs;
// rebuilt here on the first call after a source change), or through tsx's loader if that cannot be
// built. Either way src/ is the one source of truth and operators run no build step of their own.
import { register as registerHooks } from 'node:module';
import { bundledCli } from './bundle-cache.mjs';

const bundle = await bundledCli();
if (bundle) {
  // Stack traces name the TypeScript lines (the bundle ships linked source maps).
  process.setSourceMapsEnabled(true);
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  // After tsx, so these run first: large plain-ESM dependencies skip tsx's rewriting.
  registerHooks('./passthrough-hooks.mjs', import.meta.url);
  await import('../src/cli/main.ts');
}
