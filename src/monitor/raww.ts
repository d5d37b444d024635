// raww: read a raw device; return codes of seed §12.5.4.
import * as fs from 'node:fs';
import { probeDevice } from './device';
import type { CheckFactory } from './types';

export const raww: CheckFactory = (cfg, d) => {
  const dev = cfg.params.device ?? '';
  return {
    async run() {
      let st: fs.Stats;
      try { st = fs.statSync(dev); } catch (e) { return { code: 37, message: `stat wad failed. (err=${(e as NodeJS.ErrnoException).code}) Device=${dev}` }; }
      if (!st.isBlockDevice() && !st.isCharacterDevice()) return { code: 12, message: `Device was invalid. Device=${dev}` };
      const p = await probeDevice(d.platform, dev, true, cfg.timeout);
      if (p.ok) return undefined;
      return p.stage === 'open' ? { code: 14, message: `Open was failed. (err=${p.err}) Device=${dev}` } : { code: 16, message: `Read was failed. (err=${p.err}) Device=${dev}` };
    },
    timedOut: () => ({ code: 17, message: `Read was failed by timeout. Device=${dev}` }),
  };
};
