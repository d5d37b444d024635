// Hostile traffic for the port tests: a TCP flood from a process of its own (so that what the
// server under test holds, heap, RSS and descriptors, is measured apart from the attacker's
// side), and bad UDP datagrams made from captured genuine ones.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type * as dgram from 'node:dgram';

/** What each flood connection sends, by kind (taken in turn). */
const floodScript = String.raw`
const net = require('node:net');
const crypto = require('node:crypto');
const { host, port, sources, count, kinds, op } = JSON.parse(process.argv[1]);
const payload = {
  silent: () => null,
  garbage: () => crypto.randomBytes(1500),
  truncated: () => Buffer.from(JSON.stringify({ from: 'server2', req: { op, args: {} }, mac: '0' }).slice(0, -4)),
  malformed: () => Buffer.from('}{ not json\n'),
  forged: () => Buffer.from(JSON.stringify({ from: 'server2', req: { op, args: {} }, mac: 'f'.repeat(64) }) + '\n'),
  oversize: () => Buffer.alloc(256 * 1024, 0x41),
};
const socks = [];
let settled = 0;
const done = () => { if (++settled === count) process.stdout.write('ready\n'); };
for (let i = 0; i < count; i++) {
  const c = net.connect({ host, port, localAddress: sources[i % sources.length] });
  const data = payload[kinds[i % kinds.length]]();
  let counted = false;
  const once = () => { if (!counted) { counted = true; done(); } };
  c.on('connect', () => { if (data) c.write(data, once); else once(); });
  c.on('error', once);
  c.on('close', once);
  socks.push(c);
}
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

export const floodKinds = ['silent', 'garbage', 'truncated', 'malformed', 'forged', 'oversize'] as const;

export interface Flood { child: ChildProcess; ready: Promise<void>; stop(): Promise<void> }

/** Open `count` connections to host:port from the given local addresses, each sending one
 * kind of bad input (truncated and forged requests ask for `op`), and hold them until stop(). */
export function flood(o: { host: string; port: number; sources: string[]; count: number; op: string; kinds?: readonly string[]; netns?: string }): Flood {
  const argv = [process.execPath, '-e', floodScript, JSON.stringify({ ...o, kinds: o.kinds ?? floodKinds })];
  const [cmd, ...args] = o.netns ? ['ip', 'netns', 'exec', o.netns, ...argv] : argv;
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
    child.once('exit', (code) => reject(new Error(`flood client exited (${code}) before it was ready`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.stdin!.end();
    await exited;
  };
  return { child, ready, stop };
}

/** Bad datagrams made from captured genuine ones: exact replays, truncations, single-byte
 * mutations (a forged MAC or body) and random bytes, `n` in all, in turn. */
export function hostileDatagrams(captured: Buffer[], n: number): Buffer[] {
  const pick = (i: number) => captured[i % captured.length];
  const makers = [
    (i: number) => pick(i),
    (i: number) => pick(i).subarray(0, i % pick(i).length),
    (i: number) => { const m = Buffer.from(pick(i)); m[(i * 7919) % m.length] ^= 1 + (i % 255); return m; },
    () => randomBytes(Math.floor(Math.random() * 1400)),
  ];
  return Array.from({ length: n }, (_, i) => makers[i % makers.length](i));
}

/** A script for `node -e`: `count` random datagrams of up to 1400 bytes to host:port for each
 * port given, in bursts (argv[1] is {host, ports, count}). */
export const udpNoiseScript = String.raw`
const dgram = require('node:dgram');
const crypto = require('node:crypto');
const { host, ports, count } = JSON.parse(process.argv[1]);
const s = dgram.createSocket('udp4');
let i = 0;
(function burst() {
  if (i >= count) { s.close(); return; }
  let pending = 0;
  for (let j = 0; j < 200 && i < count; j++, i++) for (const p of ports) { pending++; s.send(crypto.randomBytes(i % 1400), p, host, () => { if (--pending === 0) setImmediate(burst); }); }
})();
`;

/** Send the datagrams from `sock` in bursts, yielding between them so the receiver runs too. */
export async function udpFlood(sock: dgram.Socket, host: string, port: number, datagrams: Buffer[], burst = 200): Promise<void> {
  for (let i = 0; i < datagrams.length; i += burst) {
    await Promise.all(datagrams.slice(i, i + burst).map((d) => new Promise<void>((r) => sock.send(d, port, host, () => r()))));
    await new Promise((r) => setImmediate(r));
  }
}
