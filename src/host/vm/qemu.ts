// The qemu command line every VM of the host tools is built from: TCG (KVM hangs on these
// machines), direct kernel boot, no default devices, QMP for power and links, and the guest
// agent's virtio serial port. What a VM adds (disks, NICs, serial ports) is its own.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

export const QEMU = 'qemu-system-x86_64';

/** The agent's virtio serial port name; the guest finds its device by it (pairha.agent=). */
export const AGENT_PORT = 'pairha.agent';

export interface MachineSpec {
  name: string;
  memoryMb: number;
  kernel: string;
  initrd: string;
  /** kernel arguments; pairha.agent= is added */
  append: string;
  /** qemu -cpu model (default: qemu's, without SSE4.2) */
  cpu?: string;
}

export function machineArgs(m: MachineSpec): string[] {
  return [
    '-name', m.name, '-accel', 'tcg', '-m', String(m.memoryMb), '-smp', '1', ...(m.cpu ? ['-cpu', m.cpu] : []),
    '-nodefaults', '-no-user-config', '-display', 'none', '-vga', 'none',
    '-kernel', m.kernel, '-initrd', m.initrd, '-append', `${m.append} pairha.agent=${AGENT_PORT}`,
  ];
}

/** A unix socket the host connects to (qemu listens; nothing waits for a client). */
export const socketChardev = (id: string, socketPath: string, extra = '') =>
  ['-chardev', `socket,id=${id},path=${socketPath},server=on,wait=off${extra}`];

export const qmpArgs = (socketPath: string) => ['-qmp', `unix:${socketPath},server=on,wait=off`];

/** The agent's port on its own virtio-serial controller (at a fixed PCI slot when given). */
export const agentArgs = (socketPath: string, pciAddr?: string) => [
  '-device', `virtio-serial-pci${pciAddr ? `,addr=${pciAddr}` : ''}`, ...socketChardev('agent', socketPath),
  '-device', `virtserialport,chardev=agent,name=${AGENT_PORT}`,
];

/** Why VMs cannot run here for want of a program ('' when every one is on the PATH). */
export function missingTools(programs: string[]): string {
  const onPath = (f: string) => (process.env.PATH ?? '').split(':').some((d) => fs.existsSync(`${d}/${f}`));
  const f = [QEMU, ...programs].find((p) => !onPath(p));
  return f ? `${f} is missing (bash scripts/setup.sh)` : '';
}

/** qemu as a child of this process (tests, benchmarks); the pair starts it as a daemon instead. */
export function spawnQemu(args: string[]): ChildProcess {
  return spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}
