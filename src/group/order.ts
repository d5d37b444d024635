// Activation order of a group's resources: explicit depends_on, else the seed's default
// (fip first, then disk/md/raw, then exec). Deactivation runs it backwards.
import type { ResourceConfig, ResourceType } from '../config/types';

const tier: Record<ResourceType, number> = { fip: 0, disk: 1, md: 1, raw: 1, exec: 2 };

/** Dependencies of each resource: its depends_on, or every resource of a lower tier. */
function dependencies(r: ResourceConfig, all: ResourceConfig[]): string[] {
  if (r.dependsOn.length) return r.dependsOn;
  return all.filter((x) => tier[x.type] < tier[r.type]).map((x) => x.name);
}

/** Topological order, stable on file order; a cycle is an error naming its members. */
export function activationOrder(resources: ResourceConfig[]): ResourceConfig[] {
  const out: ResourceConfig[] = [];
  const done = new Set<string>();
  const left = [...resources];
  while (left.length) {
    const i = left.findIndex((r) => dependencies(r, resources).every((d) => done.has(d) || !resources.some((x) => x.name === d)));
    if (i < 0) throw new Error(`resources depend on each other in a cycle: ${left.map((r) => r.name).join(', ')}`);
    const [r] = left.splice(i, 1);
    out.push(r);
    done.add(r.name);
  }
  return out;
}
