// Public face of the config module: the node's TOML configuration, validated, with defaults,
// environment overrides and cluster presets.
export {
  CLUSTER_NAMES,
  CLUSTER_PRESETS,
  type ClusterName,
  type ClusterPreset,
  clusterTag,
} from './clusters.js';
export { ENV_PREFIX, envVarName } from './env.js';
export { ConfigError, type ConfigErrorCode, type ConfigIssue } from './errors.js';
export { renderExampleConfig, writeExampleConfig } from './example.js';
export { loadConfig, type ParseConfigOptions, parseConfig } from './load.js';
export type { Commitment, LogLevel, NodeConfig } from './resolve.js';
export {
  type ConfigFile,
  ConfigSchema,
  type ConfigSection,
  configDefaults,
  type KeySpec,
  keySpecs,
} from './schema.js';
