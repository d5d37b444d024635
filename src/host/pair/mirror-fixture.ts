// Shared by the mirror VM tests and bench/mirror.ts: boot the pair of the shipped
// configuration (failover1 is fip1 + md1 + exec1, docs/mirror.md) and talk to its boxes.
import { type Pair, type PairState } from './pair';
import { HB_TIMEOUT, clientGet, consoleTails, preparePair } from './fixture';

export { HB_TIMEOUT };

export interface MirrorPair {
  pair: Pair;
  s: PairState;
  dir: string;
  /** stdout of a command in a box (throws when the box cannot be asked). */
  run(server: string, ...argv: string[]): Promise<string>;
  /** stdout, stderr and exit code. */
  runFull(server: string, argv: string[], timeoutMs?: number): Promise<{ stdout: string; stderr: string; code: number }>;
  /** `clpmdstat --mirror md1` in a box. */
  mdstat(server: string): Promise<string>;
  /** This box's /proc/liscalstat line of NMP1 as key=value pairs. */
  liscal(server: string): Promise<Record<string, string>>;
  /** GET http://10.0.0.100/PATH from the client namespace ('' when nothing answers). */
  client(pathName?: string): Promise<string>;
  /** The last lines of both consoles, for failure reports. */
  consoles(lines?: number): string;
  /** The consoles, the end of each box's /var/log/messages without the kernel's lines and the runtime's warnings, for failure reports. */
  report(lines?: number): Promise<string>;
  down(): Promise<void>;
}

/** md1's lower device as a dm map of the data partition (the stick's dmtab, boot.d/35-dm.sh),
 * so that a test or a fault can swap its table for delay or flakey below liscal. */
export const md1OnDm = { edit: (conf: string) => conf.replace(/^data_partition = \/dev\/vda4$/m, 'data_partition = /dev/mapper/md1lower'), stickFiles: { dmtab: 'md1lower linear /dev/vda4\n' } };
/** The box command that swaps md1lower's table (`linear /dev/vda4 0` puts it back). */
export const swapMd1Table = (table: string) => `sz=$(blockdev --getsz /dev/vda4) && dmsetup suspend md1lower && dmsetup load md1lower --table "0 $sz ${table}" && dmsetup resume md1lower`;

export async function mirrorPair(nsSuffix: string, edit: (conf: string) => string = (c) => c, stickFiles?: Record<string, string>): Promise<MirrorPair> {
  const { pair, host, dir, config, imageDir, cleanup } = await preparePair('mirror', nsSuffix, edit);
  // (a pair that did not come up is taken down here: the caller has no handle to do it)
  const s = await pair.up({ config, imageDir, memoryMb: 512, stickFiles }).catch(async (e: Error) => {
    const consoles = consoleTails(dir);
    await pair.down();
    throw new Error(`${e.message}\n${consoles}`);
  }).finally(cleanup);
  const runFull = async (server: string, argv: string[], timeoutMs = 180000) => {
    const r = await pair.run(s, server, argv, timeoutMs);
    return { stdout: r.stdout, stderr: r.stderr, code: r.code };
  };
  return {
    pair, s, dir,
    runFull,
    run: async (server, ...argv) => (await runFull(server, argv)).stdout,
    mdstat: async (server) => (await runFull(server, ['clpmdstat', '--mirror', 'md1'])).stdout,
    liscal: async (server) => {
      const line = (await runFull(server, ['cat', '/proc/liscalstat'])).stdout.split('\n').find((l) => l.startsWith('NMP1 ')) ?? '';
      return Object.fromEntries(line.split(' ').slice(1).map((kv) => kv.split('=') as [string, string]));
    },
    client: (p = '') => clientGet(host, pair, p),
    consoles: (n = 40) => consoleTails(dir, n),
    report: async function (this: MirrorPair, n = 150) {
      const script = `grep -v ' kernel: ' /var/log/messages | tail -n ${n}; echo '--- warnings of the runtime'; grep -E ' (WARN|ERROR) ' /opt/pairha/log/pairha.log | tail -n 40`;
      const logs = await Promise.all(['server1', 'server2'].map(async (b) => {
        try { return `--- ${b} /var/log/messages (end)\n${(await runFull(b, ['sh', '-c', script], 20000)).stdout}`; } catch (e) { return `--- ${b}: no log (${(e as Error).message})`; }
      }));
      return `${this.consoles()}\n${logs.join('\n')}`;
    },
    down: () => pair.down(),
  };
}

/** Take the pair down after the test; when it failed, first comment the consoles and both boxes' logs. */
export function downAfter(t: { teardown(fn: () => unknown): void; passing(): boolean; comment(...m: unknown[]): void }, m: MirrorPair): void {
  t.teardown(() => m.down());
  t.teardown(async () => { if (!t.passing()) t.comment(await m.report()); });   // (teardowns run last first)
}

/** A command in a box that must succeed: one assertion, with its output when it fails; its stdout. */
export const okIn = (t: { equal(a: unknown, b: unknown, what: string): unknown }, m: MirrorPair) => async (server: string, argv: string[], what: string): Promise<string> => {
  const r = await m.runFull(server, argv);
  t.equal(r.code, 0, `${what}${r.code ? `: ${r.stdout.trim()} ${r.stderr.trim()}` : ''}`);
  return r.stdout;
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until fn() is true; the last value is in the error. */
export async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string, everyMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | string = 'nothing yet';
  for (;;) {
    try { last = await fn(); if (ok(last)) return last; } catch (e) { last = (e as Error).message; }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; last: ${typeof last === 'string' ? last : JSON.stringify(last)}`);
    await sleep(everyMs);
  }
}

export const normal = /^Mirror Status: Normal$[\s\S]*^Mirror Color\tGREEN\tGREEN$/m;
