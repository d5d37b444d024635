// clpstat output. The heartbeat matrix (-n) follows seed §11.5 literally, which prints
// two layouts: one while every server is Online, another once a server is Offline
// (separator lines before each block, no indentation of rows, a closing =====).
import type { ClusterGroups } from '../group/types';
import type { MembershipView } from '../nm/types';

export function formatHeartbeatStatus(v: MembershipView): string {
  const partitioned = v.servers.some((s) => s.status === 'Offline');
  const ind = partitioned ? '' : '  ';
  const out: string[] = [];
  if (partitioned) out.push('');
  out.push('===== HEARTBEAT RESOURCE STATUS =====', `Cluster : ${v.cluster}`);
  for (const s of v.servers) out.push(`${s.name === v.local ? '*' : ind}server${s.index} : ${s.name}`);
  out.push('');
  for (const h of v.heartbeats) out.push(`HB${h.index} : ${h.name}`);
  const header = '  HB' + v.heartbeats.map((h) => `  ${h.index}`).join('');
  for (const obs of v.servers) {
    out.push('');
    if (partitioned) out.push('-----');
    out.push(`[on server${obs.index} : ${obs.status}]`, header, '-----');
    for (const s of v.servers) out.push(`${ind}server${s.index} : ${v.matrix[obs.index][s.index].join('  ')}`);
  }
  if (partitioned) out.push('=====');
  return out.join('\n') + '\n';
}

const hbState = { o: 'Normal', x: 'Error', '-': 'Unknown' } as const;

/** Plain clpstat: the cluster summary. */
export function formatClusterStatus(v: MembershipView, extra: string[] = []): string {
  const out = ['===== CLUSTER STATUS =====', `Cluster : ${v.cluster}`, '<server>'];
  const me = v.servers.find((s) => s.name === v.local)!;
  for (const s of v.servers) {
    out.push(`  ${s.name === v.local ? '*' : ' '}${s.name.padEnd(16, ' ')}: ${s.status}`);
    for (const h of v.heartbeats) out.push(`     ${h.name.padEnd(15, ' ')}: ${hbState[v.matrix[me.index][s.index][h.index]]}`);
  }
  if (v.suspended) out.push('(suspended)');
  if (v.ratio.value !== 1 && v.ratio.until) out.push(`Timeout ratio : ${v.ratio.value} until ${new Date(v.ratio.until).toISOString()}`);
  out.push(...extra, '==========================');
  return out.join('\n') + '\n';
}

/** The <group> and <monitor> blocks of plain clpstat, in the server block's layout. */
export function formatGroupStatus(c: ClusterGroups): string[] {
  const out: string[] = [];
  if (c.groups.length) out.push('<group>');
  for (const g of c.groups) {
    out.push(`    ${g.name.padEnd(16, ' ')}: ${g.state}`, `      ${'current'.padEnd(14, ' ')}: ${g.current.join(', ') || '-'}`);
    for (const r of g.resources) out.push(`      ${r.name.padEnd(14, ' ')}: ${r.state}`);
  }
  if (c.monitors.length) out.push('<monitor>');
  for (const m of c.monitors) out.push(`    ${`${m.name}@${m.server}`.padEnd(16, ' ')}: ${m.state}`);
  return out;
}
