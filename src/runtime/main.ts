// Entry of the runtime process. Everything it needs comes from the environment
// (src/constants.ts), so the lab can run several on one machine.
import * as os from 'node:os';
import { ConfigError, findLocalServer, loadConfig, loadKey } from '../config';
import { resolvePaths } from '../constants';
import { createEvents } from '../events';
import { ev } from '../events/ids';
import { Logger } from '../logger';
import { newBootId } from '../nm/membership';
import { HostPlatform } from '../platform/host';
import { faultsEnabled, installSteppableClock } from '../pm/faults';
import { claimInstance } from './instance';
import { Runtime } from './runtime';

/** The pm event of each ConfigError (it names them by seed ID). */
const configEvents = { 13: ev.pm.configInvalid, 14: ev.pm.configMissing, 15: ev.pm.serverNotInConfig } as const;

export async function main(): Promise<number> {
  const stepClock = faultsEnabled() ? installSteppableClock() : undefined;
  const paths = resolvePaths();
  const log = new Logger(process.stderr);
  const server = process.env.PAIRHA_SERVER || os.hostname();
  let runtime: Runtime | undefined;
  const platform = new HostPlatform({ powerRecord: paths.powerRecord, onRecordedPower: () => { void runtime?.shutdown(); } });

  // Until a valid configuration exists, events go to syslog and the alert log with defaults.
  const early = createEvents({ paths, log, platform, server });
  let config, local, key;
  try {
    config = loadConfig(paths.configFile);
    local = findLocalServer(config, server);
    key = loadKey(config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    early.bus.emit(configEvents[e.event]);
    log.error(e.message);
    await early.bus.close();
    return 1;
  }
  await early.bus.close();
  const instance = await claimInstance(paths.run);
  if (!instance) {
    early.bus.emit(ev.pm.alreadyRunning);
    await early.bus.close();
    return 1;
  }
  const { bus, alert } = createEvents({ paths, log, platform, server, config });
  if (config.cluster.rtPriority > 0) {
    const r = await platform.takeRealtime(config.cluster.rtPriority);
    if (r.code) log.warn(`cannot take SCHED_RR priority ${config.cluster.rtPriority}: ${r.stderr.trim() || `chrt exit ${r.code}`}; heartbeats may starve under load`);
  }
  runtime = new Runtime({ config, local, key, bootId: newBootId(), paths, log, platform, events: bus, alert, faults: faultsEnabled(), stepClock, reloadMessages: () => bus.reload() });
  const stop = () => { void runtime!.shutdown(); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // A role throwing out of a timer or a promise is a dead daemon of the seed (§10.3).
  const fatal = (e: unknown) => { void runtime!.emergency(e).catch(() => process.exit(1)); };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  try {
    await runtime.start(process.env.PAIRHA_DAEMON !== 'stopped');
  } catch (e) {
    bus.emit(ev.pm.criticalError);
    log.error((e as Error).message);
    await runtime.shutdown();
    await bus.close();
    return 1;
  }
  await runtime.exited;
  await bus.close();
  return 0;
}

/** The process: main's code is its exit status. The bundle (scripts/build-cli.js) calls this. */
export function run(): void {
  main().then((code) => process.exit(code), (e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
}

if (require.main === module) run();
