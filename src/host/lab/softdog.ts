// The lab's stand-in for softdog (the real one runs in the qemu image). Watches the file a
// lab server uses as its watchdog device: once written to, it must keep growing at least
// every margin ms until a final 'V' (magic close). Otherwise it resets the server as a real
// watchdog would: records it, kills every process of the server's namespace and drops its
// addresses except the heartbeat ones (the interconnect stays cabled).
// A server whose orderly power action was recorded and whose runtime then ended has finished
// its OS shutdown: the box is off, and so is its watchdog. If the runtime is still there when
// the margin runs out, the shutdown stalled and is reset (the shutdown stall monitor, §10.6).
// Usage: node softdog.js FILE MARGIN_MS NAMESPACE POWER_RECORD KEEP_ADDR[,KEEP_ADDR...]
import * as fs from 'node:fs';
import { HostPlatform } from '../../platform/host';
import { parseAddresses } from '../../resource/fip';

/** A real reset is instant; this one takes a few spawns. The record is written once it is
 * complete: whoever waits for it (the campaign's heal, then a restart that replaces this
 * softdog) must not start the server again over a half-reset one (finding 14: a restart
 * that killed this process mid-reset left the old service and floating IP running). */
export async function reset(os: HostPlatform, ns: string, keep: string[], record: string, why: string): Promise<void> {
  const at = new Date().toISOString();
  const pids = (await os.run('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean).map(Number);
  for (const p of pids) if (p !== process.pid) os.signal(p, 'SIGKILL');
  // (a kill is delivered, not done: the box is off only once they are gone)
  for (let i = 0; i < 200 && pids.some((p) => p !== process.pid && os.signal(p, 0)); i++) await new Promise((r) => setTimeout(r, 10));
  const addrs = parseAddresses((await os.run('ip', ['-n', ns, '-o', '-4', 'addr', 'show'])).stdout);
  for (const a of addrs) {
    if (a.iface !== 'lo' && !keep.includes(a.address)) await os.run('ip', ['-n', ns, 'addr', 'del', `${a.address}/${a.prefix}`, 'dev', a.iface]);
  }
  fs.appendFileSync(record, `${at} reset ${why}\n`);
}

const readFrom = (file: string, offset: number) => { try { return fs.readFileSync(file).subarray(offset).toString(); } catch { return ''; } };

/** Recorded an orderly power action since `offset`, and no runtime is left in the namespace. */
async function poweredOff(os: HostPlatform, ns: string, record: string, offset: number): Promise<boolean> {
  if (!/ (shutdown|reboot|halt) /.test(readFrom(record, offset))) return false;
  const pids = (await os.run('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean);
  return !pids.some((p) => /runtime\/(main|pairha-runtime)\.js/.test(readFrom(`/proc/${p}/cmdline`, 0)));
}

async function watch(file: string, margin: number, ns: string, record: string, keep: string[]): Promise<void> {
  const os = new HostPlatform({ powerRecord: '' });
  let size = 0, last = Date.now(), armed = false;
  const recordStart = (() => { try { return fs.statSync(record).size; } catch { return 0; } })();
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    let st: fs.Stats;
    try { st = fs.statSync(file); } catch { return; } // the lab went down
    if (st.size !== size) {
      size = st.size;
      last = Date.now();
      const fd = fs.openSync(file, 'r');
      const b = Buffer.alloc(1);
      fs.readSync(fd, b, 0, 1, size - 1);
      fs.closeSync(fd);
      armed = b.toString() !== 'V';
    } else if (armed && Date.now() - last > margin) {
      if (await poweredOff(os, ns, record, recordStart)) { process.stdout.write(`${new Date().toISOString()} the server powered off\n`); return; }
      await reset(os, ns, keep, record, `softdog: no write for ${margin} ms`);
      armed = false;
    }
  }
}

if (require.main === module) {
  const [file, margin, ns, record, keep] = process.argv.slice(2);
  watch(file, Number(margin), ns, record, (keep ?? '').split(',').filter(Boolean)).then(() => process.exit(0), (e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
}
