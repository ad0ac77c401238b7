// Public face of the health module: the /health, /ready, /metrics server, the readiness checks
// components register, and the process's one metrics registry.
export { HealthError, type HealthErrorCode } from './errors.js';
export {
  CONSENSUS_OUTCOMES,
  COORDINATOR_ROLES,
  type ConsensusOutcome,
  type CoordinatorRole,
  createMetricsRegistry,
  type NodeMetrics,
  nodeMetrics,
  Registry,
  setCoordinatorRole,
} from './metrics.js';
export {
  type CheckReport,
  type CheckResult,
  Readiness,
  type ReadinessCheck,
  type ReadinessReport,
} from './readiness.js';
export { HealthServer, type HealthServerOptions } from './server.js';
