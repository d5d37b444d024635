// miiw: the link state of a NIC, from sysfs (carrier and operstate).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckFactory } from './types';

export const miiw: CheckFactory = (cfg, _d, sysfs = '/sys/class/net') => {
  const nic = cfg.params.interface ?? '';
  return {
    async run() {
      const read = (f: string) => { try { return fs.readFileSync(path.join(sysfs, nic, f), 'utf8').trim(); } catch { return undefined; } };
      const oper = read('operstate');
      if (oper === undefined) return { code: 1, message: `NIC ${nic} was not found.` };
      if (read('carrier') === '1' || oper === 'up') return undefined;
      return { code: 2, message: `NIC ${nic} link was down. (operstate=${oper})` };
    },
    timedOut: () => ({ code: 3, message: `Internal error. (status=timeout)` }),
  };
};
