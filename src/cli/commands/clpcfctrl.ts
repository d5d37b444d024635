// clpcfctrl (seed §1, §6, §9): push a configuration to every server, or pull it for a backup.
// The seed's floppy is a USB stick labelled PAIRHA-CFG (or any device with -d DEV -m MNT), or a
// directory (-x DIR); it holds clp.conf and, optionally, cluster.key. -l and -w (the seed's
// Linux and Windows floppies) are accepted and read the same files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cfgOps, type Plan } from '../../cfg/protocol';
import { describeChange } from '../../config/reflect';
import type { Reflect } from '../../config/schema';
import { call } from '../../control/op';
import { parseArgs, UsageError } from '../args';
import type { CliContext, Command } from '../context';

export const STICK_LABEL = 'PAIRHA-CFG';
const STICK_MOUNT = '/mnt/usb';
const FILES = { config: 'clp.conf', key: 'cluster.key' };

/** The seed's prompts (§6.1.4-6.1.6): what the operator must have done before the push. */
const prompts: Partial<Record<Reflect, { text: string; confirm: boolean; cancel: string }>> = {
  suspend: { text: 'Need to suspend cluster and resume\nAlready suspended? (y/n) :', confirm: true, cancel: 'suspend the cluster (clpcl --suspend), push again, then clpcl --resume' },
  daemon: { text: 'Need to stop cluster and restart\nAlready stopped? (y/n) :', confirm: true, cancel: 'stop the cluster (clpcl -t -a), push again, then clpcl -s -a' },
  reboot: { text: 'Need to shutdown system and reboot\nplease shutdown system after push. (hit return) :', confirm: false, cancel: '' },
};
/** What completes each method after the push (printed before success). */
const next: Record<Reflect, string> = {
  upload: 'the configuration is in place (upload only)',
  alertsync: 'alert synchronisation restarted with the new configuration',
  webmgr: 'the web manager restarted with the new configuration',
  suspend: 'run clpcl --resume to apply it',
  daemon: 'run clpcl -s -a to apply it',
  reboot: 'shut the cluster down and reboot (clpstdn -r) to apply it',
};

/** The directory holding the files: -x DIR, or the device mounted (undone by the returned function). */
async function medium(ctx: CliContext, opts: Record<string, string | boolean>, write: boolean): Promise<{ dir: string; done: () => Promise<void> }> {
  if (opts.x) {
    const dir = opts.x as string;
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${dir} is not a directory`);
    return { dir, done: async () => {} };
  }
  let dev = opts.d as string | undefined;
  const mnt = (opts.m as string | undefined) ?? STICK_MOUNT;
  if (!dev) {
    const r = await ctx.platform.run('findfs', [`LABEL=${STICK_LABEL}`]);
    dev = r.stdout.trim();
    if (r.code || !dev) throw new Error(`no USB stick labelled ${STICK_LABEL} (give -d DEV -m MNT, or -x DIR)`);
  }
  fs.mkdirSync(mnt, { recursive: true });
  const m = await ctx.platform.run('mount', write ? [dev, mnt] : ['-o', 'ro', dev, mnt], { timeoutMs: 30000 });
  if (m.code) throw new Error(`cannot mount ${dev} on ${mnt}: ${m.stderr.trim() || `exit ${m.code}`}`);
  return { dir: mnt, done: async () => { await ctx.platform.run('sync', []); await ctx.platform.run('umount', [mnt], { timeoutMs: 30000 }); } };
}

async function push(ctx: CliContext, dir: string, force: boolean): Promise<number> {
  const file = path.join(dir, FILES.config);
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { throw new Error(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no configuration there' : (e as Error).message}`); }
  const keyFile = path.join(dir, FILES.key);
  const key = fs.existsSync(keyFile) ? fs.readFileSync(keyFile) : undefined;
  if (key && key.length < 16) throw new Error(`${keyFile}: the cluster key has ${key.length} bytes; at least 16 are needed`);
  const p = await call(ctx.call, cfgOps.plan, { text });
  if (p.code || !p.data) { ctx.err(`${p.message ?? 'the configuration was refused'}\n`); return p.code || 1; }
  const plan: Plan = p.data;
  const method = plan.method;
  ctx.out(`generation ${plan.generation} -> ${plan.next}; reflect method: ${method}${plan.extras.length ? ` (+ ${plan.extras.join(', ')} restart)` : ''}\n`);
  for (const c of plan.changes) ctx.out(`  ${describeChange(c)}\n`);
  if (plan.down.length) ctx.out(`not reachable: ${plan.down.join(', ')}${force ? ' (--force: it takes the configuration when it starts again)' : ''}\n`);
  const prompt = prompts[method];
  if (prompt) {
    const answer = (await ctx.ask(prompt.text + ' ')).trim().toLowerCase();
    if (prompt.confirm && answer !== 'y') { ctx.err(`not pushed: ${prompt.cancel}\n`); return 1; }
  }
  const r = await call(ctx.call, cfgOps.push, { text, keyBase64: key?.toString('base64'), force });
  if (r.code || !r.data) { ctx.err(`${r.message ?? 'the push failed'}\n`); return r.code || 1; }
  for (const m of [...r.data.extras, r.data.method]) ctx.out(`${next[m]}\n`);
  ctx.out('success.(code:0)\n');
  return 0;
}

async function pull(ctx: CliContext, dir: string): Promise<number> {
  const r = await call(ctx.call, cfgOps.get, {});
  if (r.code || !r.data) { ctx.err(`${r.message ?? 'the pull failed'}\n`); return r.code || 1; }
  fs.writeFileSync(path.join(dir, FILES.config), r.data.text, { mode: 0o600 });
  if (r.data.keyBase64) {
    const keyFile = path.join(dir, FILES.key);
    fs.writeFileSync(keyFile, Buffer.from(r.data.keyBase64, 'base64'), { mode: 0o600 });
    fs.chmodSync(keyFile, 0o600);
  }
  ctx.out(`generation ${r.data.generation} saved in ${dir}\nsuccess.(code:0)\n`);
  return 0;
}

export const clpcfctrl: Command = {
  summary: 'push the configuration to every server, or pull it (seed §1, §6)',
  usage: 'clpcfctrl --push [-l|-w] [-x DIR | -d DEV -m MNT] [--force]\nclpcfctrl --pull [-l|-w] [-x DIR | -d DEV -m MNT]\n'
    + `  without -x or -d: the USB stick labelled ${STICK_LABEL}, mounted on ${STICK_MOUNT}\n  --force  push although a server cannot be reached (it takes the configuration when it starts)`,
  async run(argv, ctx) {
    const { opts, rest } = parseArgs(argv, [
      { names: ['--push'], key: 'push' }, { names: ['--pull'], key: 'pull' }, { names: ['-l'], key: 'l' }, { names: ['-w'], key: 'w' },
      { names: ['-x'], key: 'x', value: true }, { names: ['-d'], key: 'd', value: true }, { names: ['-m'], key: 'm', value: true },
      { names: ['--force'], key: 'force' },
    ]);
    if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
    if (!opts.push === !opts.pull) throw new UsageError('give exactly one of --push, --pull');
    if (opts.l && opts.w) throw new UsageError('-l and -w exclude each other');
    if (opts.x && (opts.d || opts.m)) throw new UsageError('-x excludes -d and -m');
    if (opts.m && !opts.d) throw new UsageError('-m needs -d DEV');
    if (opts.force && opts.pull) throw new UsageError('--force applies to --push only');
    const m = await medium(ctx, opts, opts.pull === true);
    try {
      return opts.push ? await push(ctx, m.dir, opts.force === true) : await pull(ctx, m.dir);
    } finally {
      await m.done();
    }
  },
};
