import type { Component } from './component.js';
import { NodeError } from './errors.js';

/**
 * Start order: every component after its dependencies; among independent ones, the order given
 * (so the assembly order in build.ts stays meaningful). Refuses duplicates, unknown names and cycles.
 */
export function startOrder(components: readonly Component[]): Component[] {
  const byName = new Map<string, Component>();
  for (const c of components) {
    if (byName.has(c.name)) {
      throw new NodeError('COMPONENT_DUPLICATE', `two components named ${c.name}`, { name: c.name });
    }
    byName.set(c.name, c);
  }
  const done = new Set<string>();
  const visiting: string[] = [];
  const out: Component[] = [];
  const visit = (c: Component) => {
    if (done.has(c.name)) return;
    if (visiting.includes(c.name)) {
      const cycle = [...visiting.slice(visiting.indexOf(c.name)), c.name];
      throw new NodeError('DEPENDENCY_CYCLE', `components depend on each other: ${cycle.join(' -> ')}`, {
        cycle,
      });
    }
    visiting.push(c.name);
    for (const dep of c.dependsOn ?? []) {
      const d = byName.get(dep);
      if (!d) {
        throw new NodeError(
          'DEPENDENCY_UNKNOWN',
          `${c.name} depends on ${dep}, which is not part of this node`,
          {
            component: c.name,
            dependency: dep,
          },
        );
      }
      visit(d);
    }
    visiting.pop();
    done.add(c.name);
    out.push(c);
  };
  for (const c of components) visit(c);
  return out;
}
