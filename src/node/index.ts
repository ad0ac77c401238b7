// Public face of the node module: the component lifecycle and the node assembled from a config.
export { type AssembledNode, assembleNode } from './build.js';
export type { Component } from './component.js';
export { NodeError, type NodeErrorCode } from './errors.js';
export { Node, type NodeOptions, type NodeState, type StopReport } from './lifecycle.js';
export { startOrder } from './order.js';
export { type Service, ServiceComponent, type ServiceComponentOptions } from './service-component.js';
export {
  onStopSignals,
  SIGNAL_ECHO_MS,
  type StopSignal,
  type StopSignalHandlers,
  stopOnSignal,
} from './signals.js';
