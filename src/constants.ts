// Every host path the runtime touches, in one place. Each can be overridden from the
// environment, which is what lets the lab run several servers on one machine.
import * as path from 'node:path';

export interface Paths {
  /** Install root, the seed's /opt/nec/clusterpro (§7). */
  root: string;
  etc: string;
  /** The cluster configuration (the seed's clp.conf). */
  configFile: string;
  log: string;
  alert: string;
  /** Message catalogs (pm.msg.us ...). Ship with the code unless overridden. */
  messages: string;
  scripts: string;
  tmp: string;
  work: string;
  drivers: string;
  /** Registered licences (clplcncs), on the config partition. */
  license: string;
  /** Public keys that licences must be signed by (*.pub); ship with the code unless overridden. */
  trustedKeys: string;
  /** This box's serial, for licences bound to one box. */
  serialFile: string;
  /** Directory of the root-only control socket. */
  run: string;
  controlSocket: string;
  /** System logger socket. */
  devLog: string;
  watchdog: string;
  leds: string;
  liscalProc: string;
  /** Where power actions are recorded instead of performed (lab); empty on a real box. */
  powerRecord: string;
  /** The services' init scripts (clusterpro_webmgr, restarted by clpcfctrl, seed §6.1.3). */
  initd: string;
}

const codeDir = path.resolve(__dirname, '..');

export function resolvePaths(env: NodeJS.ProcessEnv = process.env): Paths {
  const root = env.PAIRHA_ROOT || '/opt/pairha';
  const etc = env.PAIRHA_ETC || path.join(root, 'etc');
  const run = env.PAIRHA_RUN || path.join(root, 'run');
  return {
    root,
    etc,
    configFile: env.PAIRHA_CONFIG || path.join(etc, 'clp.conf'),
    log: env.PAIRHA_LOG || path.join(root, 'log'),
    alert: env.PAIRHA_ALERT || path.join(root, 'alert'),
    messages: env.PAIRHA_MESSAGES || path.join(codeDir, 'messages'),
    scripts: env.PAIRHA_SCRIPTS || path.join(root, 'scripts'),
    tmp: env.PAIRHA_TMP || path.join(root, 'tmp'),
    work: env.PAIRHA_WORK || path.join(root, 'work'),
    drivers: env.PAIRHA_DRIVERS || path.join(root, 'drivers'),
    license: env.PAIRHA_LICENSE || path.join(root, 'license'),
    trustedKeys: env.PAIRHA_TRUSTED_KEYS || path.join(codeDir, 'trusted-keys'),
    serialFile: env.PAIRHA_SERIAL_FILE || '/sys/class/dmi/id/product_serial',
    run,
    controlSocket: env.PAIRHA_SOCKET || path.join(run, 'pairha.sock'),
    devLog: env.PAIRHA_DEVLOG || '/dev/log',
    watchdog: env.PAIRHA_WATCHDOG || '/dev/watchdog',
    leds: env.PAIRHA_LEDS || '/sys/class/leds',
    liscalProc: env.PAIRHA_LISCAL_PROC || '/proc/liscal',
    powerRecord: env.PAIRHA_POWER_RECORD || '',
    initd: env.PAIRHA_INITD || '/etc/init.d',
  };
}
