import type { CheckResult, Readiness } from '../health/index.js';
import type { Component } from './component.js';
import { NodeError } from './errors.js';

/** What a module hands the node: a long-lived part with an async lifecycle. */
export interface Service {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ServiceComponentOptions<S extends Service> {
  readonly name: string;
  readonly dependsOn?: readonly string[];
  /** Builds the service, once: at start, or earlier when a component started before asks (`prepare`). */
  readonly make: () => S | Promise<S>;
  readonly readiness?: Readiness;
  /** The readiness check, registered once the service has started (or before, see `readyBeforeStart`). */
  readonly ready?: (service: S) => CheckResult;
  /** The check's name; the component's name by default. */
  readonly readyAs?: string;
  /** Register the check before start(), so it reports what a long start is waiting for. */
  readonly readyBeforeStart?: boolean;
}

/** A component that adapts one module service: made and started in start(), stopped in stop(). */
export class ServiceComponent<S extends Service> implements Component {
  readonly name: string;
  readonly dependsOn: readonly string[] | undefined;
  private making: Promise<S> | undefined;
  private made: S | undefined;
  private unregister: (() => void) | undefined;

  constructor(private readonly options: ServiceComponentOptions<S>) {
    this.name = options.name;
    this.dependsOn = options.dependsOn;
  }

  /** The service, for the components that depend on this one (made by now, started unless stopping). */
  get service(): S {
    if (!this.made) throw new NodeError('INVALID_STATE', `${this.name} is not started`);
    return this.made;
  }

  /** Makes the service ahead of start(), for a component that starts earlier and needs a part of it. */
  prepare(): Promise<S> {
    this.making ??= Promise.resolve(this.options.make()).then((service) => (this.made = service));
    return this.making;
  }

  async start(): Promise<void> {
    const { readiness, ready, readyAs = this.name, readyBeforeStart = false } = this.options;
    const service = await this.prepare();
    const register = () => {
      if (readiness && ready) this.unregister = readiness.register(readyAs, () => ready(service));
    };
    if (readyBeforeStart) register();
    await service.start();
    if (!readyBeforeStart) register();
  }

  async stop(): Promise<void> {
    this.unregister?.();
    this.unregister = undefined;
    await this.made?.stop();
  }
}
