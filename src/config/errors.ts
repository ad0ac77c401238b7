import { ParaloomError } from '../common/index.js';

export type ConfigErrorCode =
  /** The config file named on the command line does not exist. */
  | 'CONFIG_NOT_FOUND'
  /** The config file exists but cannot be read. */
  | 'CONFIG_UNREADABLE'
  /** Not valid TOML (context: line, column). */
  | 'CONFIG_SYNTAX'
  /** Valid TOML (or environment), but a key is unknown or a value is out of its domain (context: issues). */
  | 'CONFIG_INVALID'
  /** `config init` would overwrite an existing file. */
  | 'CONFIG_EXISTS';

export class ConfigError extends ParaloomError<ConfigErrorCode> {}

/** One problem with one key: `path` is the dotted key path (`solana.rpc_url`). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  /** Where the value came from: the file, or the environment variable that set it. */
  readonly source: string;
}
