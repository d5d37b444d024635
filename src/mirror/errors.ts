// Return codes and messages of the md resource (seed §12.4.4) and the mdadm event reasons
// (§12.1), as tables; a failure carries the code the group framework reports.

export class MdError extends Error {
  constructor(readonly code: number, message: string) { super(message); }
}

/** §12.4.4: md return code -> message with %1, %2. */
export const mdMessages: Record<number, string> = {
  1: 'Need to start mirror agent at first.',
  2: 'Options or parameters are invalid.',
  4: 'Getting of config was failed.',
  30: 'Internal error[status=%1]',
  77: 'Mirror disk was not in config.(%1)',
  79: 'Failed to get cluster partition information.',
  80: 'Mount point was already mounted.(%1)',
  81: 'The local server has not the latest data.(%1)',
  82: 'Failed to set cluster partition information.',
  83: 'Command timeout(%1, timeout=%2)',
  84: 'Mount point was not mounted. (%1)',
  87: 'Creating of mount point was failed. (%1)',
  89: 'Command failed. (%1)',
};

const fill = (msg: string, args: Array<string | number>) => msg.replace(/%(\d)/g, (all, n: string) => (args[Number(n) - 1] === undefined ? all : String(args[Number(n) - 1])));

export function mdError(code: number, ...args: Array<string | number>): MdError {
  return new MdError(code, fill(mdMessages[code] ?? mdMessages[30], mdMessages[code] ? args : [`code ${code}`]));
}

/** mdadm event 1 (activation failed) reasons. */
export const activateReason = {
  port: ' Failed to open I/O port.',
  notLatest: " The local server hasn't the latest data.",
  comm: ' Communication to the remote server failed.',
  remoteActive: ' The remote server is active.',
  localActive: ' The local server was already active.',
  mount: ' Mount operation failed.',
} as const;

/** mdadm event 4 (deactivation failed) reasons. */
export const deactivateReason = {
  already: ' The mirror disk was already deactivated.',
  umount: ' Umount operation failed.',
} as const;

/** mdadm events 5 and 19 (recovery / initial construction failed) reasons. */
export const recoveryReason = {
  inProgress: ' The recovery is in progress.',
  destinationActive: ' The destination server is active.',
  noDirection: ' Can not judge the recovery direction.',
  sourceAbnormal: ' The source server is abnormal.',
} as const;

/** mdagent event 2 (agent failed to start) reasons. */
export const agentStartReason = {
  running: ' Agent is running.',
  mdinit: ' Command clpmdinit is running.',
  mdchng: ' Command clpmdchng is running.',
  address: ' IP address in config file is wrong.',
  server: ' Server name in config file is wrong.',
  config: ' There is an error in config file.',
  socket: ' Failed to initialize socket server.',
} as const;
