// The md group resource (seed §12.4.4): activation checks that this server holds the latest
// data (else 81), opens the I/O port (refused while the peer's is open), runs fsck as
// configured and mounts, or not with -nomount; deactivation unmounts and closes the port.
// Written as functions the group framework (src/resource) calls through a thin wrapper.
import * as fs from 'node:fs';
import type { MdResourceConfig } from '../config/types';
import { ev } from '../events/ids';
import type { Events } from '../events/types';
import type { Platform } from '../platform/types';
import { mountedFrom } from '../resource/blockdev';
import { activateReason, deactivateReason, MdError, mdError } from './errors';
import { Liscal, LiscalError } from './liscal';
import type { LiscalStatus } from './liscal-status';
import { decide, inServerOrder, locallyLatest } from './state';

export interface MdDeps {
  liscal: Liscal;
  platform: Platform;
  events: Events;
  local: string;
  peer: string;
  /** This server is listed first in the cluster: the source of an initial construction, so
   * both servers must see the sides in that order to agree on who holds the latest data. */
  localFirst: boolean;
  /** The peer's status through its agent: status undefined when it cannot be asked. */
  peerStatus(nmp: number): Promise<LiscalStatus | undefined>;
  /** /proc/mounts (a file in tests). */
  mountsFile: string;
  /** How long activation waits for an unanswering peer when this side alone is not latest (ms, default 30000). */
  peerWaitMs?: number;
}

export const nmpDevice = (nmp: number) => `/dev/NMP${nmp}`;

function mounted(d: MdDeps, mp: string): string | undefined {
  try { return mountedFrom(fs.readFileSync(d.mountsFile, 'utf8'), mp); } catch { return undefined; }
}

function localStatus(d: MdDeps, cfg: MdResourceConfig): LiscalStatus {
  const s = d.liscal.status().byNmp.get(cfg.nmp);
  if (!s || !s.bound) throw mdError(79);
  return s;
}

/** Run a system command: timeout 83, failure 89. */
async function system(d: MdDeps, file: string, args: string[], timeoutMs: number, okCodes = [0]): Promise<void> {
  const r = await d.platform.run(file, args, { timeoutMs });
  if (r.signal) throw mdError(83, file, Math.round(timeoutMs / 1000));
  if (!okCodes.includes(r.code)) throw mdError(89, `${file}, ret=${r.code}${r.stderr ? `: ${r.stderr.trim().split('\n')[0].slice(0, 200)}` : ''}`);
}

export async function activateMd(d: MdDeps, cfg: MdResourceConfig, opts: { mount: boolean }): Promise<void> {
  const dev = nmpDevice(cfg.nmp);
  const fail = (reason: string, e: MdError): never => { d.events.emit(ev.mdadm.activateFailed, reason, dev); throw e; };
  const first = localStatus(d, cfg);
  if (first.port === 'open') {
    // Already active here (a restart of the group): only the mount may be missing.
    if (!opts.mount || mounted(d, cfg.mountPoint) === dev) return;
  } else {
    let peer = await d.peerStatus(cfg.nmp);
    // Alone this side cannot claim the latest data (e.g. fresh disks at the first start):
    // give the peer's agent a moment (it may still be binding its NMP) before refusing.
    for (const until = performance.now() + (d.peerWaitMs ?? 30000); !peer?.bound && !locallyLatest(localStatus(d, cfg)) && performance.now() < until;) {
      await new Promise((r) => setTimeout(r, 2000));
      peer = await d.peerStatus(cfg.nmp);
    }
    // This side read again after the peer's (slow) answer: both must describe one moment,
    // e.g. the agent may have started the initial construction from here meanwhile.
    const local = localStatus(d, cfg);
    const latest = peer ? decide(...inServerOrder(d.localFirst, { server: d.local, status: local }, { server: d.peer, status: peer })).latest.includes(d.local) : locallyLatest(local);
    if (!latest) fail(activateReason.notLatest, mdError(81, cfg.name));
    if (peer?.port === 'open') fail(activateReason.remoteActive, mdError(30, `the mirror disk is active on ${d.peer}`));
    const from = opts.mount ? mounted(d, cfg.mountPoint) : undefined;
    if (from !== undefined) fail(activateReason.mount, mdError(80, cfg.mountPoint));
    try { await d.liscal.open(cfg.nmp); } catch (e) {
      const errno = e instanceof LiscalError ? e.errno : '';
      fail(errno === 'EPERM' ? activateReason.remoteActive : activateReason.port, mdError(30, (e as Error).message));
    }
  }
  if (!opts.mount) return;
  try {
    try { fs.mkdirSync(cfg.mountPoint, { recursive: true }); } catch { throw mdError(87, cfg.mountPoint); }
    if (cfg.fsck === 'always') {
      d.events.emit(ev.mdadm.fsckStarted, dev);
      // fsck: 0 clean, 1 errors corrected.
      await system(d, 'fsck', ['-t', cfg.fsType, ...cfg.fsckOptions.split(/\s+/).filter(Boolean), dev], cfg.fsckTimeout, [0, 1]);
      d.events.emit(ev.mdadm.fsckCleaned, dev);
    }
    await system(d, 'mount', ['-t', cfg.fsType, '-o', cfg.mountOptions, dev, cfg.mountPoint], cfg.mountTimeout);
  } catch (e) {
    // Leave nothing half active: the port closes again.
    try { await d.liscal.close(cfg.nmp); } catch { /* reported below */ }
    fail(activateReason.mount, e instanceof MdError ? e : mdError(30, (e as Error).message));
  }
}

export async function deactivateMd(d: MdDeps, cfg: MdResourceConfig, opts: { strict: boolean } = { strict: false }): Promise<void> {
  const dev = nmpDevice(cfg.nmp);
  const fail = (reason: string, e: MdError): never => { d.events.emit(ev.mdadm.deactivateFailed, reason, dev); throw e; };
  const st = d.liscal.status().byNmp.get(cfg.nmp);
  // Not bound (driver not loaded yet, or a reinitialised cluster partition): the port cannot
  // be open, so the group framework has nothing to undo; clpmdctrl --deactive reports it.
  if (!st?.bound && !opts.strict) return;
  const local = localStatus(d, cfg);
  if (local.port === 'closed') {
    // The group framework deactivates what may not be active; clpmdctrl --deactive is strict.
    if (opts.strict) fail(deactivateReason.already, mdError(84, cfg.mountPoint));
    return;
  }
  if (mounted(d, cfg.mountPoint) !== undefined) {
    try { await system(d, 'umount', [cfg.mountPoint], cfg.umountTimeout); } catch (e) { fail(deactivateReason.umount, e as MdError); }
  }
  try { await d.liscal.close(cfg.nmp); } catch (e) { throw mdError(30, (e as Error).message); }
}
