// diskw: read (or only open) a device; return codes of seed §12.5.2.
import { probeDevice } from './device';
import type { CheckFactory } from './types';

export const diskw: CheckFactory = (cfg, d) => {
  const dev = cfg.params.device ?? '';
  return {
    async run() {
      const p = await probeDevice(d.platform, dev, cfg.params.method !== 'dummy', cfg.timeout);
      if (p.ok) return undefined;
      return p.stage === 'open' ? { code: 14, message: `Open was failed. (err=${p.err}) Device=${dev}` } : { code: 16, message: `Read was failed. (err=${p.err}) Device=${dev}` };
    },
    timedOut: () => ({ code: 17, message: `Read was failed by timeout. Device=${dev}` }),
  };
};
