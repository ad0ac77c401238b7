/**
 * Environment overrides: `PARALOOM_<SECTION>_<KEY>` (upper case) replaces `[section] key`, e.g.
 * `PARALOOM_HEALTH_PORT=9301`. Values are read as the key's type: numbers, `true`/`false`, and
 * comma-separated lists. A value that does not convert is passed on as a string, so the schema
 * reports it under its key path like a bad value in the file. Variables of an unknown section
 * (`PARALOOM_LOG_LEVEL`, read by the logger) are not ours and are left alone; an unknown key in a
 * known section is a typo and is refused.
 */
import type { ConfigIssue } from './errors.js';
import { type ConfigSection, keySpecs } from './schema.js';

export const ENV_PREFIX = 'PARALOOM_';

export interface EnvOverrides {
  /** Values to lay over the file, by section and key. */
  readonly values: Partial<Record<ConfigSection, Record<string, unknown>>>;
  /** Dotted key path -> name of the variable that set it (for error messages). */
  readonly sources: ReadonlyMap<string, string>;
  readonly issues: readonly ConfigIssue[];
}

export function envVarName(section: string, key: string): string {
  return `${ENV_PREFIX}${section}_${key}`.toUpperCase();
}

export function readEnvOverrides(env: Readonly<Record<string, string | undefined>>): EnvOverrides {
  const specs = keySpecs();
  const sections = new Set<string>(specs.map((s) => s.section));
  const byVar = new Map(specs.map((s) => [envVarName(s.section, s.key), s]));
  const values: Partial<Record<ConfigSection, Record<string, unknown>>> = {};
  const sources = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const spec = byVar.get(name);
    if (!spec) {
      const [section = '', ...rest] = name.slice(ENV_PREFIX.length).toLowerCase().split('_');
      if (sections.has(section)) {
        issues.push({ path: `${section}.${rest.join('_')}`, message: 'unknown key', source: name });
      }
      continue;
    }
    const section = values[spec.section] ?? {};
    section[spec.key] = convert(raw, spec.defaultValue);
    values[spec.section] = section;
    sources.set(`${spec.section}.${spec.key}`, name);
  }
  return { values, sources, issues };
}

/** Reads the string as the type of the key's default. */
function convert(raw: string, like: unknown): unknown {
  const s = raw.trim();
  if (typeof like === 'number') return s !== '' && Number.isFinite(Number(s)) ? Number(s) : raw;
  if (typeof like === 'bigint') return /^\d+$/.test(s) ? BigInt(s) : raw;
  if (typeof like === 'boolean') return s === 'true' ? true : s === 'false' ? false : raw;
  if (Array.isArray(like)) {
    return s === ''
      ? []
      : s
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== '');
  }
  return raw;
}
