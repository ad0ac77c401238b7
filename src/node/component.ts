/**
 * One part of a running node (storage, network, health, later bridge, validator, ingress, ...).
 * The node starts components after what they depend on and stops them in reverse order, so a
 * component may use its dependencies from start() until its own stop() returns.
 */
export interface Component {
  /** Unique within the node; used in logs, dependencies and readiness. */
  readonly name: string;
  /** Names of the components that must be running before this one starts. */
  readonly dependsOn?: readonly string[];
  start(): Promise<void>;
  /** Must release everything start() took; the node waits for it up to the stop deadline. */
  stop(): Promise<void>;
}
