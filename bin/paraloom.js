#!/usr/bin/env node
// Runs the TypeScript sources directly: the CLI is a thin shell, and tsx's loader keeps one
// source of truth without a build step on operators' machines.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
