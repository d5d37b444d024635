// ipw: ping a list of addresses; normal while any answers (seed §12.5.1).
import type { CheckFactory } from './types';

export const ipw: CheckFactory = (cfg, d) => {
  const targets = (cfg.params.targets ?? '').split(',').filter(Boolean);
  const list = targets.join(' ');
  return {
    async run() {
      let last = 0;
      for (const t of targets) {
        const r = await d.platform.run('ping', ['-n', '-q', '-c', '1', '-W', String(Math.max(1, Math.ceil(cfg.timeout / 1000))), t], { timeoutMs: cfg.timeout });
        if (r.code === 0) return undefined;
        last = r.code;
      }
      return last === 1 ? { code: 1, message: `Ping cannot reach. (ret=${last}) IP=${list}...` } : { code: 2, message: `Ping was failed. (ret=${last}) IP=${list}...` };
    },
    timedOut: () => ({ code: 5, message: `Ping was failed by timeout. IP=${list}...` }),
  };
};
