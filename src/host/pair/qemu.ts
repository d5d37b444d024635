// The qemu command line of one box of the pair (TCG): direct kernel boot of the image's
// kernel and initramfs, its own copy-on-write disk, its config stick, the console and the
// COM port on unix sockets, the agent's virtio serial port, one NIC per LAN (a tap in the
// hub namespace), and QMP for power.
import * as path from 'node:path';
import type { Topology } from './topology';

export interface BoxFiles {
  disk: string; stick: string; console: string; consoleLog: string; com: string; agent: string; qmp: string;
}

export function boxFiles(dir: string, server: string): BoxFiles {
  const f = (x: string) => path.join(dir, `${server}.${x}`);
  return { disk: f('qcow2'), stick: f('stick.img'), console: f('console.sock'), consoleLog: f('console.log'), com: f('com.sock'), agent: f('agent.sock'), qmp: f('qmp.sock') };
}

/** Tap of server #s on LAN #l: short enough for IFNAMSIZ. */
export const tapName = (lan: number, server: number) => `pv${lan}s${server}`;
export const AGENT_PORT = 'pairha.agent';

export interface BoxSpec { index: number; server: string; files: BoxFiles; imageDir: string; memoryMb: number }

export function qemuArgs(t: Topology, b: BoxSpec): string[] {
  const sock = (id: string, p: string, extra = '') => ['-chardev', `socket,id=${id},path=${p},server=on,wait=off${extra}`];
  const args = [
    '-name', b.server, '-accel', 'tcg', '-m', String(b.memoryMb), '-smp', '1',
    '-nodefaults', '-no-user-config', '-display', 'none', '-vga', 'none',
    '-kernel', path.join(b.imageDir, 'vmlinuz'), '-initrd', path.join(b.imageDir, 'initramfs.cpio.gz'),
    '-append', `console=ttyS0 quiet panic=1 pairha.agent=${AGENT_PORT}`,
    ...sock('con', b.files.console, `,logfile=${b.files.consoleLog},logappend=on`), '-serial', 'chardev:con',
    ...sock('com', b.files.com), '-serial', 'chardev:com',
    '-qmp', `unix:${b.files.qmp},server=on,wait=off`,
  ];
  // NICs first, at fixed PCI slots, so that eth<i> is LAN heartbeat i.
  for (const l of t.lans) {
    args.push('-netdev', `tap,id=${l.name},ifname=${tapName(l.index, b.index)},script=no,downscript=no`);
    args.push('-device', `virtio-net-pci,netdev=${l.name},id=nic-${l.name},mac=52:54:00:7a:${hex(l.index)}:${hex(b.index + 1)},addr=${hex(3 + l.index)}`);
  }
  args.push(
    '-drive', `file=${b.files.disk},if=none,id=disk,format=qcow2`, '-device', 'virtio-blk-pci,drive=disk,addr=0x10',
    '-drive', `file=${b.files.stick},if=none,id=stick,format=raw,readonly=on`, '-device', 'virtio-blk-pci,drive=stick,addr=0x11',
    '-device', 'virtio-serial-pci,addr=0x12', ...sock('agent', b.files.agent), '-device', `virtserialport,chardev=agent,name=${AGENT_PORT}`,
  );
  return args;
}

const hex = (n: number) => n.toString(16).padStart(2, '0');
