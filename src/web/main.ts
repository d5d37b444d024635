#!/usr/bin/env node
// The web manager process (service clusterpro_webmgr): HTTPS on [ports] manager, beside the
// runtime, talking to it only through the local control socket as the clp* commands do.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../config';
import type { ClusterConfig } from '../config/types';
import { resolvePaths } from '../constants';
import { request } from '../control/local';
import { call } from '../control/op';
import { alertOps } from '../events/protocol';
import { AlertLog } from '../events/sinks/alert';
import { HostPlatform } from '../platform/host';
import { Accounts } from './accounts';
import { LoginLimiter } from './limiter';
import { createMetrics } from './metrics';
import { accountsFile, assetsDir, webDir } from './paths';
import { createServer } from './server';
import { Sessions, defaultTimes } from './sessions';
import { ensureTls } from './tls';


async function main(): Promise<void> {
  const env = process.env;
  const paths = resolvePaths(env);
  const server = env.PAIRHA_SERVER || os.hostname();
  let config: ClusterConfig = loadConfig(paths.configFile);
  // The configuration is read again on SIGHUP (a pushed clp.conf), kept if the new one is bad.
  process.on('SIGHUP', () => { try { config = loadConfig(paths.configFile); } catch (e) { console.error(`webmgr: ${(e as Error).message}; the old configuration stays`); } });
  const tls = await ensureTls(webDir(paths.etc), server, new HostPlatform({ powerRecord: '' }));
  if (tls.generated) console.error(`webmgr: made a self-signed certificate in ${webDir(paths.etc)}`);
  const alertLog = new AlertLog(paths.alert, config.alert.maxEntries);
  const send = (req: Parameters<typeof request>[1], t?: number) => request(paths.controlSocket, req, t);
  const idle = Number(env.PAIRHA_WEB_IDLE_MS) || defaultTimes.idleMs;
  const srv = createServer(tls, {
    send,
    config: () => config,
    accounts: new Accounts(accountsFile(paths.etc)),
    sessions: new Sessions({ ...defaultTimes, idleMs: idle }),
    limiter: new LoginLimiter(),
    metrics: createMetrics(send, () => config, paths.liscalProc),
    assets: assetsDir(env),
    // Through the runtime's event bus (syslog, alert log, the peer); written here only when
    // the runtime does not answer, so that no failed login goes unrecorded.
    loginFailed: (user, address) => {
      call(send, alertOps.loginFailed, { user, address }).then((r) => { if (r.code) throw new Error(r.message); }).catch(() => {
        alertLog.append({ time: Date.now(), server, type: 'webmgr', id: 1, lvl: 'WARN', text: `Web manager: failed login for user '${user.replace(/[^\x20-\x7e]/g, '?')}' from ${address}.` });
      });
    },
  });
  const port = Number(env.PAIRHA_WEB_PORT) || config.ports.manager;
  await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen(port, env.PAIRHA_WEB_ADDR || '::', resolve); });
  const pidFile = path.join(paths.run, 'webmgr.pid');
  fs.mkdirSync(paths.run, { recursive: true, mode: 0o700 });
  fs.writeFileSync(pidFile, `${process.pid}\n`);
  console.error(`webmgr: listening on ${port}/TCP`);
  const stop = () => { srv.close(); srv.closeAllConnections(); try { fs.unlinkSync(pidFile); } catch { /* gone */ } process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) main().catch((e) => { console.error(`webmgr: ${(e as Error).message}`); process.exit(1); });
