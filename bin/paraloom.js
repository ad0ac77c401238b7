#!/usr/bin/env node
// Runs the TypeScript sources directly: the CLI is a thin shell, and tsx's loader keeps one
// source of truth without a build step on operators' machines.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
// After tsx, so these run first: large plain-ESM dependencies skip tsx's rewriting.
registerHooks('./passthrough-hooks.mjs', import.meta.url);
await import('../src/cli/main.ts');
