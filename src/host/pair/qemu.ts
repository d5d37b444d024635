// The qemu command line of one box of the pair (on ../vm/qemu.ts): the image's kernel and
// initramfs, its own copy-on-write disk, its config stick, the console and the COM port on
// unix sockets, one NIC per LAN (a tap in the hub namespace), and a second disk when the box
// was given one (Pair.addDisk: seed §6.6.2, a disk added).
import * as path from 'node:path';
import { agentArgs, machineArgs, qmpArgs, socketChardev } from '../vm/qemu';
import type { Topology } from './topology';

export interface BoxFiles {
  disk: string; stick: string; console: string; consoleLog: string; com: string; agent: string; qmp: string;
  /** The added disk (Pair.addDisk), attached when the file exists. */
  disk2: string;
}

export function boxFiles(dir: string, server: string): BoxFiles {
  const f = (x: string) => path.join(dir, `${server}.${x}`);
  return { disk: f('qcow2'), stick: f('stick.img'), console: f('console.sock'), consoleLog: f('console.log'), com: f('com.sock'), agent: f('agent.sock'), qmp: f('qmp.sock'), disk2: f('disk2.qcow2') };
}

/** Tap of server #s on LAN #l: short enough for IFNAMSIZ. */
export const tapName = (lan: number, server: number) => `pv${lan}s${server}`;

export interface BoxSpec {
  index: number; server: string; files: BoxFiles; imageDir: string; memoryMb: number;
  /** Attach files.disk2: the box's third virtio disk (/dev/vdc, after the system disk and the stick). */
  disk2?: boolean;
}

/** The added disk's PCI slot: after the agent's (0x12), so the system disk and the stick keep vda and vdb. */
export const DISK2_PCI = '0x13';

export function qemuArgs(t: Topology, b: BoxSpec): string[] {
  const args = [
    ...machineArgs({
      name: b.server, memoryMb: b.memoryMb, append: `console=ttyS0 quiet panic=1 ${RAMOOPS}`,
      kernel: path.join(b.imageDir, 'vmlinuz'), initrd: path.join(b.imageDir, 'initramfs.cpio.gz'),
    }),
    ...socketChardev('con', b.files.console, `,logfile=${b.files.consoleLog},logappend=on`), '-serial', 'chardev:con',
    ...socketChardev('com', b.files.com), '-serial', 'chardev:com',
    ...qmpArgs(b.files.qmp),
  ];
  // NICs first, at fixed PCI slots, so that eth<i> is LAN heartbeat i.
  for (const l of t.lans) {
    args.push('-netdev', `tap,id=${l.name},ifname=${tapName(l.index, b.index)},script=no,downscript=no`);
    args.push('-device', `virtio-net-pci,netdev=${l.name},id=nic-${l.name},mac=52:54:00:7a:${hex(l.index)}:${hex(b.index + 1)},addr=${hex(3 + l.index)}`);
  }
  args.push(
    '-drive', `file=${b.files.disk},if=none,id=disk,format=qcow2`, '-device', 'virtio-blk-pci,drive=disk,addr=0x10',
    '-drive', `file=${b.files.stick},if=none,id=stick,format=raw,readonly=on`, '-device', 'virtio-blk-pci,drive=stick,addr=0x11',
    ...agentArgs(b.files.agent, '0x12'),
  );
  if (b.disk2) args.push('-drive', `file=${b.files.disk2},if=none,id=disk2,format=qcow2`, '-device', `virtio-blk-pci,drive=disk2,addr=${DISK2_PCI}`);
  return args;
}

/** RAM kept across a warm reset for ramoops (the kernel's last messages of a panic or reset,
 * boot.d/22-lastrun.sh; docs/logs.md): 1 MiB at 256 MiB, reserved from the kernel by memmap. */
export const RAMOOPS = 'memmap=1M$0x10000000 ramoops.mem_address=0x10000000 ramoops.mem_size=0x100000';

const hex = (n: number) => n.toString(16).padStart(2, '0');
