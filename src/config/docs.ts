// docs/config.md is generated from the schema tables, so the two cannot drift
// (test/unit/config-docs.test.ts checks it). Regenerate: node dist/config/docs.js > docs/config.md
import { heartbeatTypes, monitorCommon, monitorTypes, namedSections, resourceCommon, resourceTypes, singleSections, type Fields } from './schema';

function rows(section: string, fields: Fields): string[] {
  return Object.values(fields).map((s) => {
    const range = s.values ? s.values.join(' \\| ') : [s.min !== undefined ? `≥ ${s.min}` : '', s.max !== undefined ? `≤ ${s.max}` : '', s.maxBytes !== undefined ? `≤ ${s.maxBytes} bytes` : ''].filter(Boolean).join(', ');
    const def = s.def === undefined ? '(required)' : s.def === '' ? '(empty)' : `\`${s.def}\``;
    return `| \`${section}\` | \`${s.key}\` | ${s.type}${range ? ` (${range})` : ''} | ${def} | ${s.doc} |`;
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
    '| section | key | type | default | meaning |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [k, specs] of Object.entries(singleSections)) out.push(...rows(k, specs));
  for (const [k, specs] of Object.entries(namedSections)) out.push(...rows(`${k} NAME`, specs));
  out.push('| `heartbeat NAME` | `type` | enum (lanhb \\| comhb \\| diskhb) | (required) | Kind of heartbeat; file order is HB0, HB1 ... |');
  out.push('| `heartbeat NAME` | `SERVER` | per type | (required for every server) | lanhb: that server\'s address; comhb, diskhb: its device. |');
  for (const [k, specs] of Object.entries(heartbeatTypes)) out.push(...rows(`heartbeat NAME` + ` (${k})`, specs));
  out.push('| `resource NAME` | `type` | enum (fip \\| exec \\| disk \\| raw \\| md) | (required) | Kind of group resource. |');
  out.push(...rows('resource NAME', resourceCommon));
  for (const [k, specs] of Object.entries(resourceTypes)) out.push(...rows(`resource NAME (${k})`, specs));
  out.push('| `resource NAME (md)` | `SERVER` | ipv4 | (required for every server) | That server\'s address on the mirror link. |');
  out.push('| `monitor NAME` | `type` | enum (' + Object.keys(monitorTypes).join(' \\| ') + ') | (required) | Kind of monitor. |');
  out.push(...rows('monitor NAME', monitorCommon));
  for (const [k, specs] of Object.entries(monitorTypes)) out.push(...rows(`monitor NAME (${k})`, specs));
  return out.join('\n') + '\n';
}

if (require.main === module) process.stdout.write(configDoc());
