import { defineErrorClass, type ModuleError } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface ConfigErrorContexts {
  /** The config file named on the command line does not exist. */
  CONFIG_NOT_FOUND: { path: string };
  /** The config file exists but cannot be read. */
  CONFIG_UNREADABLE: { path: string };
  /** Not valid TOML, at `line` and `column` of `source`. */
  CONFIG_SYNTAX: { source: string; line: number; column: number };
  /** Valid TOML (or environment), but a key is unknown or a value is out of its domain. */
  CONFIG_INVALID: { issues: readonly ConfigIssue[] };
  /** `config init` would overwrite an existing file. */
  CONFIG_EXISTS: { path: string };
}

export type ConfigErrorCode = keyof ConfigErrorContexts;

export const ConfigError = defineErrorClass<ConfigErrorContexts>('ConfigError');
export type ConfigError<C extends ConfigErrorCode = ConfigErrorCode> = ModuleError<ConfigErrorContexts, C>;

/** One problem with one key: `path` is the dotted key path (`solana.rpc_url`). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  /** Where the value came from: the file, or the environment variable that set it. */
  readonly source: string;
}
