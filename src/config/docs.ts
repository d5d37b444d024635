// docs/config.md is generated from the schema tables, so the two cannot drift
// (test/unit/config-docs.test.ts checks it). Regenerate: node dist/config/docs.js > docs/config.md
import { reflectOf, sectionReflect } from './reflect';
import type { Reflect } from './schema';

const reflectDocs: Array<[Reflect, string, string]> = [
  ['upload', '§6.1.1 upload only', 'nothing: the pushed file is used from the next start on'],
  ['alertsync', '§6.1.2 alert sync stop/start', 'clpcfctrl restarts alert synchronisation on every server'],
  ['webmgr', '§6.1.3 web manager stop/start', 'clpcfctrl restarts clusterpro_webmgr (its init.d script) on every server'],
  ['suspend', '§6.1.4 cluster daemon suspend/resume', '`clpcl --resume` (heartbeat interval and timeout)'],
  ['daemon', '§6.1.5 cluster daemon stop/start', '`clpcl -s -a` (heartbeats, groups, resources, monitors, watchdog, message files)'],
  ['reboot', '§6.1.6 cluster shutdown and reboot', 'the start of the runtime at boot (`clpstdn -r`)'],
];
import { heartbeatTypes, monitorCommon, monitorTypes, namedSections, resourceCommon, resourceTypes, singleSections, type Fields } from './schema';

/** `type` picks the per-type default (md resources). */
function rows(section: string, fields: Fields, type?: string): string[] {
  return Object.values(fields).map((s) => {
    const reflect = reflectOf(section.replace(/ \(.*$/, ''), s.key, type);
    const range = s.values ? s.values.join(' \\| ') : [s.min !== undefined ? `≥ ${s.min}` : '', s.max !== undefined ? `≤ ${s.max}` : '', s.maxBytes !== undefined ? `≤ ${s.maxBytes} bytes` : ''].filter(Boolean).join(', ');
    const def = s.def === undefined ? '(required)' : s.def === '' ? '(empty)' : `\`${s.def}\``;
    return `| \`${section}\` | \`${s.key}\` | ${s.type}${range ? ` (${range})` : ''} | ${def} | ${reflect} | ${s.doc} |`;
  });
}

export function configDoc(): string {
  const out = [
    '# Configuration keys',
    '',
    'The cluster configuration (the seed\'s clp.conf) is one INI file, the same on every server.',
    'Times are in milliseconds. Example: `rootfs/opt/pairha/etc/clp.conf`. Generated from',
    '`src/config/schema.ts`; every error names file, line, section, key and reason.',
    'A value may be quoted (`"..."` with JSON escapes, `\'...\'` as written); unquoted, `;` or `#`',
    'starts a comment unless escaped (`\\;`). The runtime, the commands and the boot scripts read the',
    'file the same way: the boot scripts source `pairha config export-sh` (docs/image.md).',
    'An `absolutePath` (and a per-server device) starts with `/` and holds no control character: it',
    'reaches command lines (mount, umount, fuser, dd, the mirror driver), where `-a` would be an option.',
    'Section names are letters, digits, `-`, `_`, and not a built-in property name (`constructor`, `toString` ...).',
    '',
    '',
    '## Applying a change: reflect methods',
    '',
    '`clpcfctrl --push` compares the pushed clp.conf with the one in use and names the method the',
    'change needs (seed §6.1); the column `reflect` below says it per key, a change needs the strongest',
    'of its keys (upload < suspend < daemon < reboot; alertsync and webmgr are restarts done beside them).',
    'Keys without their own entry take their section\'s: ' + Object.entries(sectionReflect).map(([k, m]) => `\`${k}\` ${m}`).join(', ') + ';',
    'an `md` resource: reboot (the mirror agent runs with the process). Whole sections added or removed count as their keys.',
    '',
    '| reflect | what it is (seed) | what re-reads clp.conf |',
    '| --- | --- | --- |',
    ...reflectDocs.map(([m, seed, what]) => `| ${m} | ${seed} | ${what} |`),
    '',
    'Message files (`messages/*.msg.us`, seed §12.3) are re-read when the cluster daemon starts',
    '(`clpcl -t -a; clpcl -s -a`); on the appliance they are on the config partition (`/opt/pairha/messages` is `/config/messages`).',
    'Every configuration carries `[cluster] generation`: a push raises it, and a server refuses a',
    'configuration older than the one it holds (docs/clpcfctrl.md).',
    '',
    '## Keys',
    '',
    '| section | key | type | default | reflect | meaning |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const [k, specs] of Object.entries(singleSections)) out.push(...rows(k, specs));
  for (const [k, specs] of Object.entries(namedSections)) out.push(...rows(`${k} NAME`, specs));
  out.push('| `heartbeat NAME` | `type` | enum (lanhb \\| comhb \\| diskhb) | (required) | reboot | Kind of heartbeat; file order is HB0, HB1 ... |');
  out.push('| `heartbeat NAME` | `SERVER` | per type | (required for every server) | reboot | lanhb: that server\'s address; comhb, diskhb: its device. |');
  for (const [k, specs] of Object.entries(heartbeatTypes)) out.push(...rows(`heartbeat NAME` + ` (${k})`, specs, k));
  out.push('| `resource NAME` | `type` | enum (fip \\| exec \\| disk \\| raw \\| md) | (required) | daemon | Kind of group resource. |');
  out.push(...rows('resource NAME', resourceCommon));
  for (const [k, specs] of Object.entries(resourceTypes)) out.push(...rows(`resource NAME (${k})`, specs, k));
  out.push('| `resource NAME (md)` | `SERVER` | ipv4 | (required for every server) | reboot | That server\'s address on the mirror link. |');
  out.push('| `monitor NAME` | `type` | enum (' + Object.keys(monitorTypes).join(' \\| ') + ') | (required) | daemon | Kind of monitor. |');
  out.push(...rows('monitor NAME', monitorCommon));
  for (const [k, specs] of Object.entries(monitorTypes)) out.push(...rows(`monitor NAME (${k})`, specs, k));
  return out.join('\n') + '\n';
}

if (require.main === module) process.stdout.write(configDoc());
