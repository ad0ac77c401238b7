import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type Component, Node, NodeError, startOrder } from './index.js';

const logger = pino({ level: 'silent' });

function fake(
  name: string,
  log: string[],
  opts: {
    dependsOn?: string[];
    failStart?: boolean;
    stopMs?: number;
    startMs?: number;
    hangStop?: boolean;
  } = {},
): Component {
  return {
    name,
    ...(opts.dependsOn ? { dependsOn: opts.dependsOn } : {}),
    async start() {
      if (opts.startMs) await new Promise((r) => setTimeout(r, opts.startMs));
      if (opts.failStart) throw new Error(`${name} cannot start`);
      log.push(`start ${name}`);
    },
    async stop() {
      if (opts.hangStop) await new Promise(() => {});
      if (opts.stopMs) await new Promise((r) => setTimeout(r, opts.stopMs));
      log.push(`stop ${name}`);
    },
  };
}

describe('start order', () => {
  it('puts dependencies first and keeps the given order otherwise', () => {
    const log: string[] = [];
    const order = startOrder([
      fake('ingress', log, { dependsOn: ['storage', 'network'] }),
      fake('storage', log),
      fake('health', log),
      fake('network', log),
      fake('validator', log, { dependsOn: ['bridge', 'network'] }),
      fake('bridge', log, { dependsOn: ['storage'] }),
    ]).map((c) => c.name);
    expect(order).toEqual(['storage', 'network', 'ingress', 'health', 'bridge', 'validator']);
  });

  it('refuses duplicates, unknown dependencies and cycles', () => {
    const codeOf = (cs: Component[]) => {
      try {
        startOrder(cs);
      } catch (e) {
        return (e as NodeError).code;
      }
    };
    expect(codeOf([fake('a', []), fake('a', [])])).toBe('COMPONENT_DUPLICATE');
    expect(codeOf([fake('a', [], { dependsOn: ['bridge'] })])).toBe('DEPENDENCY_UNKNOWN');
    expect(
      codeOf([
        fake('a', [], { dependsOn: ['c'] }),
        fake('b', [], { dependsOn: ['a'] }),
        fake('c', [], { dependsOn: ['b'] }),
      ]),
    ).toBe('DEPENDENCY_CYCLE');
  });
});

describe('node lifecycle', () => {
  it('starts in dependency order and stops in reverse, once', async () => {
    const log: string[] = [];
    const node = new Node(
      [fake('network', log, { dependsOn: ['storage'] }), fake('storage', log), fake('health', log)],
      {
        logger,
      },
    );
    expect(node.state).toBe('new');
    await node.start();
    expect(node.state).toBe('running');
    const [a, b] = await Promise.all([node.stop(), node.stop()]);
    expect(a).toBe(b);
    expect(a.clean).toBe(true);
    expect(node.state).toBe('stopped');
    expect(log).toEqual([
      'start storage',
      'start network',
      'start health',
      'stop health',
      'stop network',
      'stop storage',
    ]);
    await expect(node.start()).rejects.toThrow(NodeError);
  });

  it('stops what started, in reverse, when a component fails to start, and rethrows its error', async () => {
    const log: string[] = [];
    const node = new Node(
      [fake('storage', log), fake('health', log), fake('network', log, { failStart: true }), fake('x', log)],
      {
        logger,
      },
    );
    await expect(node.start()).rejects.toThrow('network cannot start');
    expect(log).toEqual(['start storage', 'start health', 'stop health', 'stop storage']);
    expect(node.state).toBe('stopped');
  });

  it('abandons a component that does not stop by the deadline, still stops the rest, and reports unclean', async () => {
    const log: string[] = [];
    const node = new Node(
      [fake('storage', log), fake('network', log, { hangStop: true }), fake('health', log)],
      {
        logger,
        stopTimeoutMs: 200,
        stopGraceMs: 50,
      },
    );
    await node.start();
    const t0 = Date.now();
    const report = await node.stop();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(report).toMatchObject({ clean: false, timedOut: ['network'], failed: [] });
    // Storage stops last and still gets its grace period after the deadline passed.
    expect(log.slice(3)).toEqual(['stop health', 'stop storage']);
  });

  it('reports a stop() that throws as a failure', async () => {
    const node = new Node(
      [
        {
          name: 'bad',
          start: async () => {},
          stop: async () => {
            throw new Error('boom');
          },
        },
      ],
      { logger },
    );
    await node.start();
    expect(await node.stop()).toMatchObject({ clean: false, failed: ['bad'] });
  });

  it('on a stop during startup, lets the starting component finish, stops it, and starts nothing more', async () => {
    const log: string[] = [];
    const node = new Node(
      [fake('storage', log), fake('network', log, { startMs: 100 }), fake('health', log)],
      {
        logger,
      },
    );
    const starting = node.start();
    await new Promise((r) => setTimeout(r, 30));
    const report = await node.stop();
    await starting;
    expect(report.clean).toBe(true);
    expect(log).toEqual(['start storage', 'start network', 'stop network', 'stop storage']);
    expect(node.state).toBe('stopped');
  });
});
