// Lab helpers for tests: a lab in its own directory, torn down whatever happens.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli } from '../../src/cli/pairha';
import { defaultContext } from '../../src/cli/context';
import { Lab, type LabState } from '../../src/host/lab/lab';
import { HostPlatform } from '../../src/platform/host';
import { nmOps } from '../../src/nm/protocol';
import type { MembershipView } from '../../src/nm/types';
import type { Test } from 'tap';

export const isRoot = process.getuid?.() === 0;

/** A lab up and, unless told otherwise, both servers Online (a test of what happens in the
 * first seconds, before a poll could see both Online, passes online: false). */
export async function startLab(t: Test, template?: string, o: { online?: boolean } = {}): Promise<{ lab: Lab; s: LabState; clp: (server: string, ...argv: string[]) => Promise<{ code: number; out: string; err: string }>; view: (server: string) => Promise<MembershipView> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-lab-'));
  const lab = new Lab(dir, new HostPlatform({ powerRecord: '' }));
  await lab.down(); // leftovers of an aborted run
  t.teardown(() => lab.down());
  const s = await lab.up(template);
  if (o.online !== false) await lab.waitOnline(s, 20000);
  const clp = async (server: string, ...argv: string[]) => {
    let out = '', err = '';
    const ctx = { ...defaultContext(lab.env(s, server)), out: (x: string) => { out += x; }, err: (x: string) => { err += x; } };
    const code = await cli(argv, ctx);
    return { code, out, err };
  };
  const view = async (server: string) => (await lab.call(s, server, nmOps.view)).data as MembershipView;
  return { lab, s, clp, view };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until fn() is true, or fail with what was last seen. */
export async function until(fn: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) { if (await fn()) return; await sleep(100); }
  throw new Error(`timed out waiting for ${what}`);
}
