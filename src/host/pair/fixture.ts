// What every test (and benchmark) on the virtual pair does first: why qemu tests cannot run
// here, a pair of its own (temporary directory, namespaces, image, configuration), the client's
// view of the example group, and the consoles for failure reports.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pair, defaultImageDir, defaultPairConfig } from './pair';
import { missingTools } from '../vm/qemu';
import { boxFiles } from './qemu';
import { HostPlatform } from '../../platform/host';

/** The configuration's own heartbeat timeout: shorter ones give false server downs when
 *  other jobs load the machine (TCG boxes stall for seconds). */
export const HB_TIMEOUT = 30000;

/** PAIRHA_IMAGE_OUT: an image of one's own, so a rebuild never pulls the base from under another run's boxes. */
export const testImageDir = process.env.PAIRHA_IMAGE_OUT || defaultImageDir;

export function vmSkipReason(): string {
  if (process.getuid?.() !== 0) return 'qemu tests need root (network namespaces, taps)';
  const missing = missingTools(['qemu-img', 'genimage', 'socat']);
  if (missing) return missing;
  if (!fs.readdirSync('/boot').some((f) => f.startsWith('vmlinuz-'))) return 'no /boot/vmlinuz-* (linux-image-amd64)';
  if (!fs.existsSync('/dev/net/tun')) return '/dev/net/tun is missing';
  return '';
}

/** The namespace prefix of a VM test's pair: PAIRHA_PAIR_NS plus the test's suffix, so
 *  concurrent runs (CI and a developer's pair) never share namespaces. */
export function testPairNs(suffix: string, prefix = 'pairvm'): string {
  return `${process.env.PAIRHA_PAIR_NS ?? prefix}${suffix}`;
}

export interface PreparedPair {
  pair: Pair;
  host: HostPlatform;
  /** The pair's directory (boxes, consoles); `pair.down()` removes it. */
  dir: string;
  /** The configuration file the boxes get, and its text. */
  config: string;
  text: string;
  imageDir: string;
  /** Removes the configuration file. */
  cleanup(): void;
}

/** The example configuration with HB_TIMEOUT, then the caller's edits. */
export function testConfigText(edit: (conf: string) => string = (c) => c): string {
  return edit(fs.readFileSync(defaultPairConfig, 'utf8').replace(/^hb_timeout = \d+$/m, `hb_timeout = ${HB_TIMEOUT}`));
}

/**
 * A pair not yet booted: an empty directory, its own namespaces (testPairNs(nsSuffix)), the
 * image built if needed, and the example configuration with HB_TIMEOUT and the caller's edits.
 */
export async function preparePair(name: string, nsSuffix: string, edit: (conf: string) => string = (c) => c,
  o: { nsPrefix?: string; log?: (s: string) => void } = {}): Promise<PreparedPair> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pairha-${name}-`));
  const host = new HostPlatform({ powerRecord: '' });
  const pair = new Pair(dir, host, testPairNs(nsSuffix, o.nsPrefix));
  await pair.down();
  await pair.ensureImage(testImageDir, o.log ?? (() => {}));
  const config = `${dir}.conf`;
  const text = testConfigText(edit);
  fs.writeFileSync(config, text);
  return { pair, host, dir, config, text, imageDir: testImageDir, cleanup: () => fs.rmSync(config, { force: true }) };
}

/** The part of tap's test object the helpers use. */
export interface TestHooks {
  teardown(fn: () => unknown): void;
  passing(): boolean;
  comment(...args: unknown[]): void;
}

/** preparePair for a tap test: the pair goes down and the configuration is removed at the
 *  end; on failure the end of the consoles is in the test's output. */
export async function testPair(t: TestHooks, name: string, nsSuffix: string, edit?: (conf: string) => string, boxes = ['server1', 'server2']): Promise<PreparedPair> {
  const p = await preparePair(name, nsSuffix, edit);
  t.teardown(() => p.pair.down());
  t.teardown(() => p.cleanup());
  t.teardown(() => { if (!t.passing()) t.comment(consoleTails(p.dir, 40, boxes)); });   // (teardowns run last first)
  return p;
}

/** The last lines of the boxes' consoles. */
export function consoleTails(dir: string, lines = 40, boxes = ['server1', 'server2']): string {
  return boxes.map((b) => {
    const log = boxFiles(dir, b).consoleLog;
    return fs.existsSync(log) ? `--- ${b} console (end)\n${fs.readFileSync(log, 'latin1').split('\n').slice(-lines).join('\n')}` : `--- ${b}: no console log`;
  }).join('\n');
}

/** GET http://10.0.0.100/PATH (the example group's floating address) from the client
 *  namespace; '' when nothing answers. (node, not busybox wget: the static busybox crashes
 *  resolving addresses with glibc's NSS) */
export async function clientGet(host: HostPlatform, pair: Pair, pathName = ''): Promise<string> {
  const get = `require('http').get('http://10.0.0.100/${pathName}', { timeout: 5000 }, (r) => { if (r.statusCode !== 200) { r.resume(); return; } r.pipe(process.stdout); }).on('error', () => {})`;
  return (await host.run('ip', ['netns', 'exec', pair.clientNs, process.execPath, '-e', get], { timeoutMs: 15000 })).stdout.trim();
}
