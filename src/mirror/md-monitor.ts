// Monitors of the mirror: mdw (mirror disk state, seed §12.5.6) and mdnw (mirror link,
// §12.5.7). Each check answers undefined when all is well, or the return code and message.
import type { MdCheckFailure } from '../core/mirror-port';
import type { LiscalStatus } from './liscal-status';
import { constructed, decide } from './state';

export type { MdCheckFailure };

export interface MdwInput {
  resource: string;
  agentRunning: boolean;
  local?: LiscalStatus;
  peer?: LiscalStatus;
  /** The peer server is up (membership); only then is its missing status a failure. */
  peerUp: boolean;
}

export function mdwCheck(i: MdwInput): MdCheckFailure | undefined {
  const f = (code: number, message: string) => ({ code, message });
  if (!i.agentRunning) return f(1, 'Need to start mirror agent at first.');
  if (!i.local || !i.local.bound || !constructed(i.local)) return f(58, `Local mirror disk status is unknown or not constructed.(${i.resource})`);
  if (!i.peer) return i.peerUp ? f(51, 'Remote driver status is unknown.') : undefined;
  if (i.local.diskErr && i.peer.diskErr) return f(54, 'Both drivers are abnormal.');
  if (i.local.diskErr) return f(53, 'Local driver is abnormal.');
  if (i.peer.diskErr) return f(52, 'Remote driver is abnormal.');
  if (i.local.port === 'open' && i.peer.port === 'open') return f(66, `Mirror disk was activated on both servers.(${i.resource})`);
  const d = decide({ server: 'local', status: i.local }, { server: 'peer', status: i.peer });
  switch (d.case) {
    case 'recovering': return f(100, `The recovery is in progress. (${i.resource})`);
    case 'needs-forced-recovery': return f(65, `Both mirror disks are abnormal.(${i.resource})`);
    case 'needs-recovery':
      if (!d.latest.includes('local')) return f(63, `Local mirror disk is abnormal. (${i.resource})`);
      if (!d.latest.includes('peer')) return f(64, `Remote mirror disk is abnormal.(${i.resource})`);
      return undefined;
    default: return undefined;
  }
}

export function mdnwCheck(i: { agentRunning: boolean; local?: LiscalStatus }): MdCheckFailure | undefined {
  if (!i.agentRunning) return { code: 1, message: 'Need to start mirror agent at first.' };
  if (!i.local || !i.local.bound) return { code: 5, message: 'Monitor config error.(the mirror disk is not bound)' };
  return i.local.conn === 'connected' ? undefined : { code: 31, message: 'Network was interrupted' };
}
