// clplogcc (the role of EXPRESSCLUSTER's log collection command): both servers' logs, alert
// logs, configuration (secrets redacted, the key scrubbed), status output and dmesg in one
// tar.gz, to a directory or a USB stick. This server's part is collected here (it works with
// the cluster daemon stopped); the other servers' parts come through the local runtime over
// the authenticated peer channel.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findLocalServer, loadConfig, loadKey } from '../../config/load';
import type { ClusterConfig } from '../../config/types';
import { call } from '../../control/op';
import { collectServer, tar, type CollectDeps } from '../../logs/collect';
import { collectTypes, logOps, type CollectType } from '../../logs/protocol';
import { parseArgs, UsageError } from '../args';
import type { CliContext, Command } from '../context';

const usage = `clplogcc [-t TYPE] [-o DIR | -d DEV [-m MNT]] [-h HOST | -l]
  -t TYPE  type1 (default: everything), type2 (logs, alert log, configuration), type3 (logs and alert log)
  -o DIR   write the archive to DIR (default: the tmp directory, /opt/pairha/tmp)
  -d DEV   write it to the USB stick DEV (mounted on MNT, default /mnt/usb, and unmounted)
  -h HOST  collect one server only;  -l  this server only`;

export const clplogcc: Command = {
  summary: 'collect both servers\' logs into one archive',
  usage,
  async run(argv, ctx) {
    const { opts, rest } = parseArgs(argv, [
      { names: ['-t'], key: 'type', value: true }, { names: ['-o'], key: 'out', value: true },
      { names: ['-d'], key: 'dev', value: true }, { names: ['-m'], key: 'mnt', value: true },
      { names: ['-h'], key: 'host', value: true }, { names: ['-l'], key: 'local' },
    ]);
    if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
    const type = collectTypes.find((x) => x === (opts.type ?? 'type1'));
    if (!type) throw new UsageError(`-t ${String(opts.type)}: the type is one of ${collectTypes.join(', ')}`);
    if (opts.out !== undefined && opts.dev !== undefined) throw new UsageError('-o and -d exclude each other');
    if (opts.mnt !== undefined && opts.dev === undefined) throw new UsageError('-m needs -d');
    if (opts.host !== undefined && opts.local) throw new UsageError('-h and -l exclude each other');
    const dev = opts.dev as string | undefined;
    if (dev !== undefined) blockDevice(dev);
    const outDir = dev !== undefined ? String(opts.mnt ?? '/mnt/usb') : String(opts.out ?? ctx.paths.tmp);
    if (dev === undefined) directory(outDir, opts.out !== undefined ? '-o' : 'the default output directory');

    const me = whoAmI(ctx);
    const targets = opts.local ? [me.name] : opts.host !== undefined ? [String(opts.host)] : me.servers;
    if (!targets.every((s) => me.servers.includes(s))) throw new UsageError(`-h ${String(opts.host)}: not a server of the configuration (${me.servers.join(', ')})`);

    const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'clplogcc-'));
    try {
      const top = `pairha-logs-${me.cluster}-${stamp(new Date())}`;
      fs.mkdirSync(path.join(stage, top));
      const manifest = [...me.notes];
      let failed = 0;
      for (const server of targets) {
        try {
          if (server === me.name) {
            const lines = await collectServer(path.join(stage, top, server), type, me.deps);
            fs.writeFileSync(path.join(stage, top, server, 'MANIFEST.txt'), `${lines.join('\n')}\n`);
          } else {
            await fetchPeer(ctx, server, type, path.join(stage, top));
          }
          manifest.push(`${server}: collected (${type})`);
          ctx.out(`Collect Log ${server} : success\n`);
        } catch (e) {
          failed++;
          manifest.push(`${server}: not collected: ${(e as Error).message}`);
          ctx.out(`Collect Log ${server} : failed (${(e as Error).message})\n`);
        }
      }
      fs.writeFileSync(path.join(stage, top, 'MANIFEST.txt'), `${manifest.join('\n')}\n`);
      const file = await writeOut(ctx, stage, top, outDir, dev);
      ctx.out(`clplogcc: ${file} (${fs.existsSync(file) ? `${fs.statSync(file).size} bytes` : 'on the stick'})\n`);
      return failed ? 1 : 0;
    } finally {
      fs.rmSync(stage, { recursive: true, force: true });
    }
  },
};

function blockDevice(dev: string): void {
  let st: fs.Stats;
  try { st = fs.statSync(dev); } catch (e) { throw new UsageError(`-d ${dev}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such device' : (e as Error).message}`); }
  if (!st.isBlockDevice()) throw new UsageError(`-d ${dev}: not a block device`);
}

function directory(dir: string, what: string): void {
  let st: fs.Stats;
  try { st = fs.statSync(dir); } catch { throw new UsageError(`${what} ${dir}: no such directory`); }
  if (!st.isDirectory()) throw new UsageError(`${what} ${dir}: not a directory`);
}

/** This server, the servers and what collecting needs; without a readable configuration, this server alone. */
function whoAmI(ctx: CliContext): { name: string; cluster: string; servers: string[]; deps: CollectDeps; notes: string[] } {
  const name = process.env.PAIRHA_SERVER || os.hostname();
  const deps: CollectDeps = { paths: ctx.paths, platform: ctx.platform, mirrors: [] };
  let config: ClusterConfig;
  try {
    config = loadConfig(ctx.paths.configFile);
    findLocalServer(config, name);
  } catch (e) {
    return { name, cluster: 'cluster', servers: [name], deps, notes: [`configuration not usable, ${name} only: ${(e as Error).message}`] };
  }
  const notes: string[] = [];
  try { deps.key = loadKey(config); } catch (e) { notes.push(`${name}: ${(e as Error).message}`); }
  deps.mirrors = config.resources.filter((r) => r.type === 'md').map((r) => r.name);
  return { name, cluster: config.cluster.name, servers: config.servers.map((s) => s.name), deps, notes };
}

/** Another server's part: packed there, read in chunks through the local runtime, unpacked under dir. */
async function fetchPeer(ctx: CliContext, server: string, type: CollectType, dir: string): Promise<void> {
  const c = await call(ctx.call, logOps.collect, { server, type });
  if (c.code || !c.data) throw new Error(c.message ?? 'no archive');
  const file = path.join(dir, `..`, `${server}.tar.gz`);
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    for (let offset = 0; ;) {
      const r = await call(ctx.call, logOps.chunk, { server, id: c.data.id, offset });
      if (r.code || !r.data) throw new Error(r.message ?? 'no data');
      const buf = Buffer.from(r.data.data, 'base64');
      fs.writeSync(fd, buf);
      offset += buf.length;
      if (r.data.eof) break;
      if (buf.length === 0) throw new Error(`the archive of ${server} ended early at ${offset} bytes`);
    }
  } finally {
    fs.closeSync(fd);
  }
  if (fs.statSync(file).size !== c.data.size) throw new Error(`the archive of ${server} has ${fs.statSync(file).size} bytes, not ${c.data.size}`);
  const r = await ctx.platform.run('tar', ['-xzf', file, '-C', dir], { timeoutMs: 120000 });
  fs.rmSync(file, { force: true });
  if (r.code !== 0) throw new Error(`cannot unpack the archive of ${server}: ${r.stderr.trim()}`);
  if (!fs.existsSync(path.join(dir, server))) throw new Error(`the archive of ${server} has no ${server}/`);
}

/** Pack stage/top into outDir (on the stick DEV when given, mounted there for the time of it). */
async function writeOut(ctx: CliContext, stage: string, top: string, outDir: string, dev?: string): Promise<string> {
  const file = path.join(outDir, `${top}.tar.gz`);
  if (dev === undefined) { await tar(ctx.platform, file, stage, [top]); return file; }
  fs.mkdirSync(outDir, { recursive: true });
  const m = await ctx.platform.run('mount', [dev, outDir], { timeoutMs: 60000 });
  if (m.code !== 0) throw new Error(`cannot mount ${dev} on ${outDir}: ${m.stderr.trim() || `exit ${m.code}`}`);
  try {
    await tar(ctx.platform, file, stage, [top]);
    ctx.out(`clplogcc: ${fs.statSync(file).size} bytes written to ${dev}\n`);
    await ctx.platform.run('sync', [], { timeoutMs: 60000 });
  } finally {
    const u = await ctx.platform.run('umount', [outDir], { timeoutMs: 60000 });
    if (u.code !== 0) ctx.err(`clplogcc: cannot unmount ${outDir}: ${u.stderr.trim()}\n`);
  }
  return `${dev}:${top}.tar.gz`;
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
