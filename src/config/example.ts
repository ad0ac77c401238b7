import { open } from 'node:fs/promises';
import { stringify } from 'smol-toml';
import { envVarName } from './env.js';
import { ConfigError } from './errors.js';
import { keySpecs } from './schema.js';

/**
 * The commented example `paraloom config init` writes: every key, set to its default, under its
 * description and override variable. Generated from the schema, so it cannot drift from it; a test
 * parses it back and compares with the defaults.
 */
export function renderExampleConfig(): string {
  const lines = [
    '# Paraloom node configuration (written by `paraloom config init`).',
    '# Every key is set to its default: change what you need, delete the rest.',
    '# Relative paths are relative to this file. Each key can be overridden by the environment',
    '# variable named under it. Reference: docs/operations.md, "Configuration".',
  ];
  let section = '';
  for (const spec of keySpecs()) {
    if (spec.section !== section) {
      section = spec.section;
      lines.push('', `[${section}]`);
    } else lines.push('');
    lines.push(`# ${spec.description}`, `# env: ${envVarName(spec.section, spec.key)}`);
    lines.push(stringify({ [spec.key]: spec.defaultValue }).trim());
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Writes the example to `path`; refuses to overwrite an existing file unless `force`. */
export async function writeExampleConfig(path: string, options: { force?: boolean } = {}): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, options.force ? 'w' : 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ConfigError('CONFIG_EXISTS', `${path} exists; pass --force to overwrite it`, { path });
    }
    throw new ConfigError('CONFIG_UNREADABLE', `cannot write ${path}`, { path }, { cause: err });
  }
  try {
    await fh.writeFile(renderExampleConfig());
  } finally {
    await fh.close();
  }
}
