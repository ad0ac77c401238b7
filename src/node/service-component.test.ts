import { describe, expect, it } from 'vitest';
import { Readiness } from '../health/index.js';
import { ServiceComponent } from './index.js';

/** A service that records its lifecycle and whether it is running. */
class Recorder {
  running = false;
  constructor(readonly log: string[]) {}
  async start(): Promise<void> {
    this.log.push('start');
    this.running = true;
  }
  async stop(): Promise<void> {
    this.log.push('stop');
    this.running = false;
  }
}

describe('ServiceComponent', () => {
  it('makes the service once, even when a component started earlier asked for it first', async () => {
    const log: string[] = [];
    let made = 0;
    const component = new ServiceComponent({
      name: 'part',
      make: () => {
        made++;
        return new Recorder(log);
      },
    });
    expect(() => component.service).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    const early = await component.prepare();
    await component.start();
    expect(made).toBe(1);
    expect(component.service).toBe(early);
    await component.stop();
    expect(log).toEqual(['start', 'stop']);
  });

  it('registers readiness after start by default, under its own or the given name, and removes it at stop', async () => {
    const readiness = new Readiness();
    const seenDuringStart: string[][] = [];
    class Slow extends Recorder {
      override async start(): Promise<void> {
        seenDuringStart.push(readiness.names);
        await super.start();
      }
    }
    const after = new ServiceComponent({
      name: 'after',
      readiness,
      readyAs: 'late',
      ready: (s) => ({ ok: s.running, detail: 'after' }),
      make: () => new Slow([]),
    });
    const before = new ServiceComponent({
      name: 'before',
      readiness,
      readyBeforeStart: true,
      ready: (s) => ({ ok: s.running, detail: 'before' }),
      make: () => new Slow([]),
    });
    await after.start();
    await before.start();
    expect(seenDuringStart).toEqual([[], ['late', 'before']]);
    expect((await readiness.evaluate(1_000)).ready).toBe(true);
    await before.stop();
    await after.stop();
    expect(readiness.names).toEqual([]);
  });

  it('does not start a service whose making failed', async () => {
    const component = new ServiceComponent<Recorder>({
      name: 'broken',
      make: async () => {
        throw new Error('no key file');
      },
    });
    await expect(component.start()).rejects.toThrow('no key file');
    expect(() => component.service).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
  });
});
