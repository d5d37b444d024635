// The mirror decision (seed §11.10): from both servers' liscal status and metadata, the
// mirror's case, each server's colour, which side holds the latest data, and whether and
// how recovery may run. Pure: the agent feeds it, clpmdstat and the md resource read it.
//
// Latest data comes from the driver's state and generations (kmod/liscal/README.md §1.3):
// BREAK means "holds data the peer lacks", STALE "outdated"; leaving SYNC bumps `gen`, and
// `peergen` is the peer's gen at the last contact. While the link is down, a BREAK side
// whose gen is beyond the other's peergen has moved on since they last spoke; if both
// have, the data diverged (forced recovery). The link's STATE exchange refreshes peergen,
// so the agent settles the verdict into the driver (force red) before it reconnects.
// The wall-clock last update time is only shown: it depends on each OS clock (§11.10.5).
import type { LiscalStatus } from './liscal-status';

export type MirrorColor = 'GREEN' | 'RED' | 'YELLOW' | '--';
/** The seed's cases: normal, needs mirror recovery, needs forced recovery, recovering. */
export type MirrorCase = 'normal' | 'needs-recovery' | 'needs-forced-recovery' | 'recovering' | 'unknown';

/** One server's side of a mirror; status undefined = not known (server or agent down, NMP not bound). */
export interface Side { server: string; status?: LiscalStatus }

/** Both sides in the cluster's server order, as decide() must be given them: every server then
 * agrees on which side is "a" (the initial construction's source) and clpmdstat prints server1 first. */
export function inServerOrder(localFirst: boolean, mine: Side, theirs: Side): [Side, Side] {
  return localFirst ? [mine, theirs] : [theirs, mine];
}

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

/** Fresh metadata (new or reinitialised cluster partition): STALE at generation 1 (0: older drivers). */
export const constructed = (s: LiscalStatus) => !(s.state === 'STALE' && s.gen <= 1);
/** May hold the latest data: bound, in sync or ahead, no disk error. */
const usable = (s: LiscalStatus) => s.bound && (s.state === 'SYNC' || s.state === 'BREAK') && !s.diskErr;
/** Went on alone since the two last spoke (exact while the link is down). */
const moved = (s: LiscalStatus, other: LiscalStatus) => s.state === 'BREAK' && s.gen > other.peerGen;
const recovering = (s: LiscalStatus) => s.state === 'RECOVERING' || ['full-send', 'diff-send', 'recv'].includes(s.recovery);
const sending = (s: LiscalStatus) => s.recovery === 'full-send' || s.recovery === 'diff-send';

export const percent = (dirty: number, chunks: number) => (chunks > 0 ? Math.min(100, Math.ceil((dirty * 100) / chunks)) : 0);

/** What this side alone says about its data (peer unknown): may it serve as the latest? */
export function locallyLatest(s: LiscalStatus | undefined): boolean {
  // (usable() excludes RECOVERING: the source of a running recovery holds the latest data too)
  return !!s && s.bound && !s.diskErr && (s.state === 'SYNC' || s.state === 'BREAK' || (recovering(s) && sending(s)));
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

  // Generations may differ in SYNC: each side bumps its own at a recovery's end.
  if (sa.state === 'SYNC' && sb.state === 'SYNC' && !sa.diskErr && !sb.diskErr) {
    return { ...base, case: 'normal', colors: ['GREEN', 'GREEN'], latest: [a.server, b.server] };
  }

  const ua = usable(sa), ub = usable(sb);
  let holders: Side[];
  if (ua && ub) {
    const ma = moved(sa, sb), mb = moved(sb, sa);
    const ahead = (x: LiscalStatus, y: LiscalStatus) => x.state === 'BREAK' && y.state === 'SYNC';
    holders = ma && mb ? [] : ma ? [a] : mb ? [b] : ahead(sa, sb) ? [a] : ahead(sb, sa) ? [b] : [a, b];
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
