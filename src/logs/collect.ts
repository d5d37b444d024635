// What one server contributes to a clplogcc archive, as data: its log directories (the
// runtime's log, syslog and the pstore records of past resets live in paths.log on the config
// partition, docs/logs.md), the alert log, clp.conf with secrets redacted, and the output of
// status commands. Nothing read may carry the cluster key: every staged file is scrubbed of it.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Paths } from '../constants';
import type { Platform } from '../platform/types';
import type { CollectType } from './protocol';

export interface CollectDeps {
  paths: Paths;
  platform: Platform;
  /** The cluster key, scrubbed from everything collected (absent when it cannot be read). */
  key?: Buffer;
  /** The configuration's mirror disk resources (one clpmdstat each). */
  mirrors: string[];
}

/** A file larger than this is cut to its end (a runaway log must not fill the stick). */
export const MAX_FILE_BYTES = 8 << 20;
export const REDACTED = '<redacted>';

/** clp.conf keys whose values are secrets; key_file names a file, which is never collected. */
const secretKey = /(^|_)(password|passwd|secret|passphrase|key)$/i;

/** clp.conf with the value of every secret key replaced (comments and layout kept). */
export function redactConfig(text: string): string {
  return text.split('\n').map((line) => {
    const m = /^(\s*)([^=;#[\s][^=]*?)(\s*=\s*)(.*)$/.exec(line);
    return m && secretKey.test(m[2]) ? `${m[1]}${m[2]}${m[3]}${REDACTED}` : line;
  }).join('\n');
}

/** The key as bytes, hex (either case) and base64: how it could appear in a file. */
export function keyForms(key: Buffer): Buffer[] {
  if (key.length === 0) return [];
  return [key, Buffer.from(key.toString('hex')), Buffer.from(key.toString('hex').toUpperCase()), Buffer.from(key.toString('base64'))];
}

/** data with every form of the key replaced by REDACTED; and whether it had one. */
export function scrub(data: Buffer, forms: Buffer[]): { data: Buffer; hit: boolean } {
  let hit = false;
  for (const f of forms) {
    let at = data.indexOf(f);
    if (at < 0) continue;
    hit = true;
    const parts: Buffer[] = [];
    let from = 0;
    for (; at >= 0; at = data.indexOf(f, from)) { parts.push(data.subarray(from, at), Buffer.from(REDACTED)); from = at + f.length; }
    parts.push(data.subarray(from));
    data = Buffer.concat(parts);
  }
  return { data, hit };
}

type Source =
  | { kind: 'dir'; name: string; from: (p: Paths) => string }
  | { kind: 'config'; name: string }
  | { kind: 'file'; name: string; from: (p: Paths) => string }
  | { kind: 'run'; name: string; argv: (p: Paths) => string[] }
  | { kind: 'cli'; name: string; argv: string[] };

const all: CollectType[] = ['type1', 'type2', 'type3'];
/** What each type collects: type1 everything, type2 no command output (a hung box), type3 the logs. */
const sources: Array<{ types: CollectType[]; s: Source }> = [
  { types: all, s: { kind: 'dir', name: 'log', from: (p) => p.log } },
  { types: all, s: { kind: 'dir', name: 'alert', from: (p) => p.alert } },
  { types: ['type1', 'type2'], s: { kind: 'config', name: 'etc/clp.conf' } },
  { types: ['type1', 'type2'], s: { kind: 'file', name: 'etc/pairha-release', from: () => '/etc/pairha-release' } },
  { types: ['type1'], s: { kind: 'run', name: 'dmesg.txt', argv: () => ['dmesg'] } },
  { types: ['type1'], s: { kind: 'file', name: 'liscalstat.txt', from: (p) => `${p.liscalProc}stat` } },
  { types: ['type1'], s: { kind: 'cli', name: 'clpstat.txt', argv: ['clpstat'] } },
  { types: ['type1'], s: { kind: 'cli', name: 'clpstat-n.txt', argv: ['clpstat', '-n'] } },
  { types: ['type1'], s: { kind: 'run', name: 'ps.txt', argv: () => ['ps'] } },
  { types: ['type1'], s: { kind: 'run', name: 'df.txt', argv: () => ['df'] } },
  { types: ['type1'], s: { kind: 'file', name: 'mounts.txt', from: () => '/proc/mounts' } },
  { types: ['type1'], s: { kind: 'run', name: 'ip-addr.txt', argv: () => ['ip', 'addr'] } },
];

/** The clp* commands run as the operator would (the CLI of this build, this environment). */
const cliEntry = path.join(__dirname, '..', 'cli', 'pairha.js');
const COMMAND_MS = 60000;

/**
 * Stage this server's logs in dir (made here); returns the manifest lines: one per source,
 * what was collected or why not. Sources that fail are noted, never fatal.
 */
export async function collectServer(dir: string, type: CollectType, d: CollectDeps): Promise<string[]> {
  const manifest: string[] = [];
  const list = sources.filter((x) => x.types.includes(type)).map((x) => x.s);
  for (const m of d.mirrors) list.push({ kind: 'cli', name: `clpmdstat-${m}.txt`, argv: ['clpmdstat', '--mirror', m] });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const forms = d.key ? keyForms(d.key) : [];
  const put = (name: string, data: Buffer) => {
    const to = path.join(dir, name);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    const s = scrub(data, forms);
    fs.writeFileSync(to, s.data, { mode: 0o600 });
    if (s.hit) manifest.push(`${name}: the cluster key was found in it and redacted`);
  };
  for (const s of list) {
    try {
      manifest.push(`${s.name}: ${await collectOne(s, d, put)}`);
    } catch (e) {
      manifest.push(`${s.name}: not collected (${(e as Error).message})`);
    }
  }
  if (!d.key) manifest.push('(the cluster key could not be read: files were not scrubbed of it)');
  return manifest;
}

async function collectOne(s: Source, d: CollectDeps, put: (name: string, data: Buffer) => void): Promise<string> {
  switch (s.kind) {
    case 'dir': {
      const files = walk(s.from(d.paths));
      for (const f of files) put(path.join(s.name, f.rel), readCapped(f.abs));
      return `${files.length} files from ${s.from(d.paths)}`;
    }
    case 'config':
      put(s.name, Buffer.from(redactConfig(fs.readFileSync(d.paths.configFile, 'utf8'))));
      return `${d.paths.configFile}, secrets redacted`;
    case 'file':
      put(s.name, readCapped(s.from(d.paths)));
      return s.from(d.paths);
    case 'run':
    case 'cli': {
      const [file, ...args] = s.kind === 'run' ? s.argv(d.paths) : [process.execPath, cliEntry, ...s.argv];
      const r = await d.platform.run(file, args, { timeoutMs: COMMAND_MS });
      put(s.name, Buffer.from(`${r.stdout}${r.stderr ? `--- stderr\n${r.stderr}` : ''}`));
      const shown = s.kind === 'run' ? s.argv(d.paths).join(' ') : s.argv.join(' ');
      return r.code === 0 ? shown : `${shown} (exit ${r.code}${r.signal ? `, ${r.signal}` : ''})`;
    }
  }
}

function readCapped(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    // /proc files report size 0: read them as a stream would
    if (size === 0) return fs.readFileSync(file);
    const n = Math.min(size, MAX_FILE_BYTES);
    const buf = Buffer.alloc(n);
    fs.readSync(fd, buf, 0, n, size - n);
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

/** Regular files under root (symbolic links are not followed), relative paths sorted. */
function walk(root: string): Array<{ rel: string; abs: string }> {
  if (!fs.existsSync(root)) throw new Error(`${root} does not exist`);
  const out: Array<{ rel: string; abs: string }> = [];
  const go = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) go(r);
      else if (e.isFile()) out.push({ rel: r, abs: path.join(root, r) });
    }
  };
  go('');
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}

/** Stage and pack this server's logs: <tmp>/logcc-<id>.tar.gz holding <server>/... */
export async function packServer(tmp: string, server: string, type: CollectType, d: CollectDeps): Promise<{ id: string; file: string; size: number }> {
  const id = randomBytes(8).toString('hex');
  const stage = path.join(tmp, `logcc-${id}`);
  try {
    const manifest = await collectServer(path.join(stage, server), type, d);
    fs.writeFileSync(path.join(stage, server, 'MANIFEST.txt'), `${manifest.join('\n')}\n`);
    const file = archivePath(tmp, id);
    await tar(d.platform, file, stage, [server]);
    return { id, file, size: fs.statSync(file).size };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

export const archivePath = (tmp: string, id: string) => path.join(tmp, `logcc-${id}.tar.gz`);

/** tar -czf file -C dir names... (busybox tar on the box). */
export async function tar(platform: Platform, file: string, dir: string, names: string[]): Promise<void> {
  const r = await platform.run('tar', ['-czf', file, '-C', dir, ...names], { timeoutMs: 120000 });
  if (r.code !== 0) throw new Error(`tar -czf ${file}: ${r.stderr.trim() || `exit ${r.code}`}`);
}
