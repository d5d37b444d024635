// mdw: the mirror disk's state, through the mirror agent; return codes of seed §12.5.6.
import type { CheckFactory } from './types';

export const mdw: CheckFactory = (cfg, d) => ({
  async run() {
    if (!d.mirror) return { code: 1, message: 'Need to start mirror agent at first.' };
    return d.mirror.mdw(cfg.params.resource ?? '', d.peerUp?.() ?? false);
  },
  timedOut: () => ({ code: 30, message: 'Internal error[status=timeout]' }),
});
