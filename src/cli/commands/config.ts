import type { Command } from 'commander';

/** The config schema pulls in the bridge and network modules: loaded when a config command runs. */
const loadConfigModule = () => import('../../config/index.js');

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('node configuration (TOML)');
  config
    .command('init')
    .description('write a commented example config with every key at its default')
    .argument('[file]', 'where to write it', 'paraloom.toml')
    .option('--force', 'overwrite an existing file')
    .action(async (file: string, opts: { force?: boolean }) => {
      const { writeExampleConfig } = await loadConfigModule();
      await writeExampleConfig(file, { force: Boolean(opts.force) });
      console.log(`wrote ${file}`);
    });
  config
    .command('check')
    .description('validate a config file (and PARALOOM_* overrides) and print what the node would use')
    .argument('[file]', 'config file; without it, the defaults')
    .action(async (file: string | undefined) => {
      const { loadConfig } = await loadConfigModule();
      const resolved = await loadConfig(file);
      console.log(
        JSON.stringify(resolved, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2),
      );
    });
}
