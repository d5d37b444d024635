// ipw: ping a list of addresses, all at once; normal while any answers (seed §12.5.1).
// ping waits 80% of the monitor's timeout for a reply, so that a silent target is ping's own
// "cannot reach" (return 1) rather than the runner's timeout (return 5). Whole seconds, at
// least one: BusyBox's ping (the appliance's) refuses "-W 1.5", so a timeout under 1250 ms
// reports a silent target as a timeout (return 5).
import type { CheckFactory } from './types';

export const ipw: CheckFactory = (cfg, d) => {
  const targets = (cfg.params.targets ?? '').split(',').filter(Boolean);
  const list = targets.join(' ');
  const wait = String(Math.max(1, Math.floor((cfg.timeout * 0.8) / 1000)));
  return {
    async run() {
      const codes = await Promise.all(targets.map(async (t) => (await d.platform.run('ping', ['-n', '-q', '-c', '1', '-W', wait, t], { timeoutMs: cfg.timeout + 2000 })).code));
      if (codes.includes(0)) return undefined;
      const last = codes[codes.length - 1] ?? 2;
      return last === 1 ? { code: 1, message: `Ping cannot reach. (ret=${last}) IP=${list}...` } : { code: 2, message: `Ping was failed. (ret=${last}) IP=${list}...` };
    },
    timedOut: () => ({ code: 5, message: `Ping was failed by timeout. IP=${list}...` }),
  };
};
