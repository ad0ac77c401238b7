import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { readEnvOverrides } from './env.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { type NodeConfig, resolveConfig } from './resolve.js';
import { ConfigSchema } from './schema.js';

export interface ParseConfigOptions {
  /** Environment to read `PARALOOM_<SECTION>_<KEY>` overrides from (default: none). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where relative paths start (default: the working directory). */
  readonly baseDir?: string;
  /** Name of the source in messages (the file path). */
  readonly source?: string;
}

/**
 * Parses and validates config text. Every problem is collected, so one failed start lists them
 * all; the ConfigError's context carries them as `{ path, message, source }`.
 */
export function parseConfig(text: string, options: ParseConfigOptions = {}): NodeConfig {
  const source = options.source ?? 'config';
  let table: Record<string, unknown>;
  try {
    // asNeeded: lamport amounts above 2^53 stay exact as bigint; everything else is a number.
    table = parse(text, { integersAsBigInt: 'asNeeded', unsafeKeyBehaviour: 'throw' });
  } catch (err) {
    if (err instanceof TomlError) {
      throw new ConfigError(
        'CONFIG_SYNTAX',
        `${source}:${err.line}:${err.column}: ${err.message.split('\n')[0]}`,
        { source, line: err.line, column: err.column },
        { cause: err },
      );
    }
    throw err;
  }
  const env = readEnvOverrides(options.env ?? {});
  const merged = overlay(table, env.values);
  const sourceOf = (path: string) => env.sources.get(path) ?? source;
  const issues: ConfigIssue[] = [...env.issues];
  const result = ConfigSchema.safeParse(merged);
  if (result.success) {
    const { config, issues: resolveIssues } = resolveConfig(result.data, options.baseDir ?? process.cwd());
    issues.push(...resolveIssues.map((i) => ({ ...i, source: sourceOf(i.path) })));
    if (issues.length === 0) return config;
  } else {
    issues.push(...result.error.issues.flatMap((i) => toIssues(i, sourceOf)));
  }
  throw invalid(issues);
}

/** Reads, parses and validates a config file; without a file, defaults plus environment. */
export async function loadConfig(
  file: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<NodeConfig> {
  if (file === undefined) return parseConfig('', { env, source: 'defaults' });
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigError(
      missing ? 'CONFIG_NOT_FOUND' : 'CONFIG_UNREADABLE',
      missing ? `config file ${path} does not exist` : `cannot read config file ${path}`,
      { path },
      { cause: err },
    );
  }
  return parseConfig(text, { env, baseDir: dirname(path), source: path });
}

function overlay(
  table: Record<string, unknown>,
  values: Readonly<Record<string, Record<string, unknown> | undefined>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...table };
  for (const [section, keys] of Object.entries(values)) {
    const base = out[section];
    // A non-table section in the file stays as it is: the schema names it.
    if (base !== undefined && (typeof base !== 'object' || base === null || Array.isArray(base))) continue;
    out[section] = { ...(base as Record<string, unknown> | undefined), ...keys };
  }
  return out;
}

function toIssues(i: z.core.$ZodIssue, sourceOf: (path: string) => string): ConfigIssue[] {
  const path = i.path.map(String).join('.');
  if (i.code === 'unrecognized_keys') {
    return i.keys.map((k) => {
      const p = path ? `${path}.${k}` : k;
      return { path: p, message: path ? 'unknown key' : 'unknown section', source: sourceOf(p) };
    });
  }
  return [{ path: path || '(root)', message: i.message, source: sourceOf(path) }];
}

function invalid(issues: readonly ConfigIssue[]): ConfigError {
  const lines = issues.map((i) => `  ${i.path}: ${i.message} (${i.source})`);
  return new ConfigError('CONFIG_INVALID', `invalid configuration:\n${lines.join('\n')}`, { issues });
}
