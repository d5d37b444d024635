// The mirror decision (seed §11.10): from both servers' liscal status and metadata, the
// mirror's case, each server's colour, which side holds the latest data, and whether and
// how recovery may run. Pure: the agent feeds it, clpmdstat and the md resource read it.
//
// Latest data is decided by generations first (kmod/liscal/README.md: gen is bumped at
// each break and each recovery end; peergen is the peer's gen last seen). A side has
// changes the other has not seen when its gen is beyond the other's peergen AND its
// difference bitmap is not empty. The wall-clock last update time is only shown: the seed
// warns it depends on each OS clock (§11.10.5).
import type { LiscalStatus } from './liscal-status';

export type MirrorColor = 'GREEN' | 'RED' | 'YELLOW' | '--';
/** The seed's cases: normal, needs mirror recovery, needs forced recovery, recovering. */
export type MirrorCase = 'normal' | 'needs-recovery' | 'needs-forced-recovery' | 'recovering' | 'unknown';

/** One server's side of a mirror; status undefined = not known (server or agent down, NMP not bound). */
export interface Side { server: string; status?: LiscalStatus }

export interface Direction { from: string; to: string }

export interface MirrorDecision {
  case: MirrorCase;
  /** Colour per side, in the order given. */
  colors: [MirrorColor, MirrorColor];
  /** Servers holding the latest data (empty: nobody can tell, forced recovery needed). */
  latest: string[];
  /** Direction of a running or a needed recovery. */
  direction?: Direction;
  /** full copy or differential (FastSync) for the needed recovery. */
  mode?: 'full' | 'diff';
  /** Neither side was ever constructed: initial mirror construction (full, from the first server). */
  initial: boolean;
  /** Percent of chunks that differ (the larger bitmap: the union is at least that). */
  difference: number;
}

const constructed = (s: LiscalStatus) => s.gen > 0;
/** Bound, constructed, not declared outdated, no disk error. */
const usable = (s: LiscalStatus) => s.bound && constructed(s) && s.state !== 'STALE' && s.state !== 'NONE' && !s.diskErr;
/** Changes this side made that the other has not seen. */
const unseenChanges = (s: LiscalStatus, other: LiscalStatus) => s.gen > other.peerGen && s.dirty > 0;
const recovering = (s: LiscalStatus) => s.state === 'RECOVERING' || ['full-send', 'diff-send', 'recv'].includes(s.recovery);
const sending = (s: LiscalStatus) => s.recovery === 'full-send' || s.recovery === 'diff-send';

export const percent = (dirty: number, chunks: number) => (chunks > 0 ? Math.min(100, Math.ceil((dirty * 100) / chunks)) : 0);

/** What this side alone says about its data (peer unknown): may it serve as the latest? */
export function locallyLatest(s: LiscalStatus | undefined): boolean {
  return !!s && usable(s) && (s.state === 'SYNC' || s.state === 'BREAK' || (recovering(s) && sending(s)));
}

/** Mode of a recovery from `src` to `dst`: full when the bitmap cannot tell what differs. */
export function recoveryMode(src: LiscalStatus, dst: LiscalStatus): 'full' | 'diff' {
  if (!constructed(dst) || dst.diskErr) return 'full';            // new or replaced disk
  if (src.chunks > 0 && src.dirty >= src.chunks) return 'full';     // forced latest: every bit set
  return 'diff';
}

export function decide(a: Side, b: Side): MirrorDecision {
  const base = { initial: false, difference: 0 };
  const sa = a.status, sb = b.status;
  const diff = Math.max(sa ? percent(sa.dirty, sa.chunks) : 0, sb ? percent(sb.dirty, sb.chunks) : 0);

  if (!sa || !sb || !sa.bound || !sb.bound) {
    // One side cannot be checked: colours only for what is known.
    const color = (s?: LiscalStatus): MirrorColor => (!s || !s.bound ? '--' : locallyLatest(s) ? 'GREEN' : 'RED');
    const latest = [a, b].filter((x) => locallyLatest(x.status)).map((x) => x.server);
    return { ...base, case: 'unknown', colors: [color(sa), color(sb)], latest, difference: diff };
  }

  if (recovering(sa) || recovering(sb)) {
    const src = sending(sa) ? a : sending(sb) ? b : undefined;
    const dst = src === a ? b : a;
    return {
      ...base, case: 'recovering', colors: ['YELLOW', 'YELLOW'], latest: src ? [src.server] : [],
      direction: src ? { from: src.server, to: dst.server } : undefined, difference: diff,
    };
  }

  if (!constructed(sa) && !constructed(sb)) {
    return { ...base, case: 'needs-recovery', colors: ['GREEN', 'RED'], latest: [a.server], direction: { from: a.server, to: b.server }, mode: 'full', initial: true, difference: 100 };
  }

  if (sa.state === 'SYNC' && sb.state === 'SYNC' && sa.gen === sb.gen && !sa.diskErr && !sb.diskErr) {
    return { ...base, case: 'normal', colors: ['GREEN', 'GREEN'], latest: [a.server, b.server] };
  }

  const ua = usable(sa), ub = usable(sb);
  let holders: Side[];
  if (ua && ub) {
    const ca = unseenChanges(sa, sb), cb = unseenChanges(sb, sa);
    holders = ca && cb ? [] : ca ? [a] : cb ? [b] : [a, b];
  } else holders = [a, b].filter((_, i) => [ua, ub][i]);

  if (!holders.length) return { ...base, case: 'needs-forced-recovery', colors: ['RED', 'RED'], latest: [], difference: diff };

  // Both hold the same data but are not mirrored: the source is the side whose port is
  // open (where the resource is active), then the higher generation, then the first server.
  const open = (s: LiscalStatus) => s.port === 'open';
  const src = holders.length === 1 ? holders[0]
    : open(sb) !== open(sa) ? (open(sb) ? b : a) : sb.gen > sa.gen ? b : a;
  const dst = src === a ? b : a;
  const colors: [MirrorColor, MirrorColor] = [holders.includes(a) ? 'GREEN' : 'RED', holders.includes(b) ? 'GREEN' : 'RED'];
  return {
    ...base, case: 'needs-recovery', colors, latest: holders.map((h) => h.server),
    direction: { from: src.server, to: dst.server }, mode: recoveryMode(src.status!, dst.status!), difference: diff,
  };
}

export interface AutoRecoveryVerdict { run: boolean; why: string }

/**
 * Automatic mirror recovery, exactly seed §11.10.1. It runs when (1) the md resource is
 * active, (2) the server where it is active holds the latest data, (3) both servers are up
 * and both mirror states can be checked, (4) the servers' data differ. It does not run
 * when a server is down, the other's state cannot be checked, or no server is normal.
 */
export function autoRecovery(enabled: boolean, d: MirrorDecision, a: Side, b: Side): AutoRecoveryVerdict {
  if (!enabled) return { run: false, why: 'automatic mirror recovery is off' };
  if (d.case === 'unknown') return { run: false, why: 'a server is down or its mirror state cannot be checked' };
  if (d.case === 'recovering') return { run: false, why: 'recovery is in progress' };
  if (d.case === 'normal') return { run: false, why: 'no difference between the servers' };
  if (d.case === 'needs-forced-recovery') return { run: false, why: 'no server holds data known to be the latest: forced recovery needed' };
  const active = [a, b].filter((s) => s.status?.port === 'open');
  if (active.length !== 1) return { run: false, why: active.length ? 'the mirror disk is active on both servers' : 'the mirror disk resource is not active' };
  if (!d.latest.includes(active[0].server)) return { run: false, why: `${active[0].server}, where the mirror disk is active, does not hold the latest data` };
  return { run: true, why: `${active[0].server} is active and holds the latest data` };
}
