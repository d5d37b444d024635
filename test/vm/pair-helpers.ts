// Why qemu tests cannot run here (empty when they can): root, qemu, the Debian kernel.
import * as fs from 'node:fs';

export function vmSkipReason(): string {
  if (process.getuid?.() !== 0) return 'qemu tests need root (network namespaces, taps)';
  const onPath = (f: string) => (process.env.PATH ?? '').split(':').some((d) => fs.existsSync(`${d}/${f}`));
  for (const f of ['qemu-system-x86_64', 'qemu-img', 'genimage', 'socat']) if (!onPath(f)) return `${f} is missing (bash scripts/setup.sh)`;
  if (!fs.readdirSync('/boot').some((f) => f.startsWith('vmlinuz-'))) return 'no /boot/vmlinuz-* (linux-image-amd64)';
  if (!fs.existsSync('/dev/net/tun')) return '/dev/net/tun is missing';
  return '';
}

/** The namespace prefix of a VM test's pair: PAIRHA_PAIR_NS plus the test's suffix, so
 *  concurrent runs (CI and a developer's pair) never share namespaces. */
export function testPairNs(suffix: string): string {
  return `${process.env.PAIRHA_PAIR_NS ?? 'pairvm'}${suffix}`;
}
