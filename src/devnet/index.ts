// Public face of the devnet module: a whole network of processes on this machine (localnet and
// validators) for `paraloom devnet`, the end-to-end tests and bench:l2, and the demo run on it.
export {
  type LocalnetChildOptions,
  lastWords,
  PARALOOM_BIN,
  type Running,
  runParaloom,
  runParaloomOk,
  startLocalnetChild,
  stopChild,
} from './child.js';
export {
  Devnet,
  type DevnetDeployReport,
  type DevnetOptions,
  type DevnetPlacement,
  type DevnetStopReport,
  type DevnetValidator,
  freeLoopbackPort,
  type ProcessPlacement,
} from './cohort.js';
export { type DemoReport, runDemo, sol } from './demo.js';
export { DevnetError, type DevnetErrorCode } from './errors.js';
export { type ValidatorTomlOptions, validatorToml } from './validator-toml.js';
