// `pairha config export-sh`: the values the boot scripts need, read once by the product's
// own reader and printed as shell assignments they source, so the shell never parses the
// INI text itself and its defaults are the schema's.
import { ConfigError } from './errors';
import { loadConfig, parseConfig } from './load';
import type { ClusterConfig } from './types';

type Exported = (c: ClusterConfig, server: string) => string | number | boolean;

/** Variable = value, in the order printed. Lists are one item a line. */
const exported: Array<[string, Exported]> = [
  ['PAIRHA_SERVER', (_, server) => server],
  ['PAIRHA_HB_TIMEOUT', (c) => c.timeouts.hbTimeout],
  ['PAIRHA_WATCHDOG_ENABLED', (c) => c.watchdog.enabled],
  ['PAIRHA_WATCHDOG_MARGIN', (c) => c.watchdog.margin],
  // "heartbeat address" of this server per LAN heartbeat, in priority order (eth0, eth1 ...).
  ['PAIRHA_LAN_ADDRESSES', (c, server) => c.heartbeats.flatMap((h) => (h.type === 'lanhb' && h.addresses[server] ? [`${h.name} ${h.addresses[server]}`] : [])).join('\n')],
];

/** Single-quoted for any POSIX shell: nothing inside is expanded. */
export function shellQuote(v: string): string {
  return `'${v.replaceAll("'", `'\\''`)}'`;
}

export function exportSh(c: ClusterConfig, server: string): string {
  return exported.map(([name, value]) => `${name}=${shellQuote(String(value(c, server)))}\n`).join('');
}

/** What the boot uses without a valid configuration: the schema's defaults, no heartbeat. */
export function fallbackConfig(file: string): ClusterConfig {
  return parseConfig('[cluster]\nname = none\nkey_file = none\n[server none]\n', file);
}

/** The assignments and exit code; on a bad or missing file the errors and the fallback values. */
export function exportShFile(file: string, server: string): { out: string; err: string; code: number } {
  try {
    return { out: `PAIRHA_CONFIG_OK=true\n${exportSh(loadConfig(file), server)}`, err: '', code: 0 };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { out: `PAIRHA_CONFIG_OK=false\n${exportSh(fallbackConfig(file), server)}`, err: `${e.message}\n`, code: e.event };
  }
}
