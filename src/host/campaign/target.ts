// What a campaign target (the lab, the virtual pair) offers the campaign: the faults it can
// inject, and what it sees of both servers after each step. The campaign (campaign.ts)
// draws steps, injects, settles, observes and audits; it knows nothing of namespaces or qemu.

/** Every fault the campaign knows. A target lists the ones it can do (Target.faults). */
export const FAULTS = [
  'power-cut-active', 'power-cut-standby', 'kill-runtime', 'stall-runtime', 'stop-start-server',
  'cluster-restart', 'reboot', 'link-cut', 'link-cut-one-way', 'partition', 'netem',
  'clock-step', 'group-move', 'start-during-failover', 'cold-start-peer-off', 'simultaneous-start',
  'slow-script', 'disk-errors', 'disk-slow', 'flood',
] as const;
export type FaultName = typeof FAULTS[number];

/** Random numbers the campaign hands a target: the same seed, the same choices. */
export interface Rng {
  int(n: number): number; // 0..n-1
  pick<T>(xs: readonly T[]): T;
}

/** One injected fault: what was done (for the report) and how to end it. */
export interface Injected {
  fault: FaultName;
  /** e.g. "cut lanhb2 on server1 (one way: in)". */
  detail: string;
  /** Servers the fault took down or reset on purpose (their absence is no violation). */
  downed: string[];
  /** ERROR-level log lines this fault may cause (regexes), on top of the target's allow-list. */
  allow: RegExp[];
  /** Ends the fault (plug, heal, power on, ...). Absent when the fault ends by itself. */
  heal?: () => Promise<void>;
  /** The most the pair may take to settle after heal, ms. */
  settleMs: number;
  /** The servers were cut off from each other completely: both may hold a group until the
   * heal, and the seed's §10.7 resolves it after (audited once settled). */
  splitBrain?: boolean;
  /** The seed's §10 rules may leave no group active once settled (e.g. both servers shut down). */
  clusterMayBeDown?: boolean;
}

/** What one server looks like from outside, at one moment. */
export interface ServerView {
  name: string;
  /** The box is on and its runtime answers. */
  up: boolean;
  /** Groups this server's runtime says are active here (clpstat). */
  activeGroups: string[];
  /** What this server's clpstat says of every server ('Online', 'Offline', ...) and group (its holder or ''). */
  clpstat?: { servers: Record<string, string>; groups: Record<string, string> };
  /** The mirror disk mounted here (pair), with the mount point. */
  mounted: string[];
  /** sha256 of clp.conf as this server reads it. */
  configHash?: string;
  /** Log lines since the previous observation (the runtime's, syslog on the pair). */
  newLogLines: string[];
  coreFiles: string[];
  rssKb?: number;
  openFds?: number;
}

export interface Observation {
  at: number;
  servers: ServerView[];
  /** MAC addresses that answered ARP for the floating IP, per floating IP. */
  fipAnswers: Record<string, string[]>;
  /** Mirror data checksum on each server once recovery completed (pair). */
  mirrorSums?: Record<string, string>;
}

/** A writer inside the group: fsync'ed records, acknowledged to the campaign over the floating IP. */
export interface WriterReport {
  /** Records the writer acknowledged since the start of the run. */
  acked: number[];
  /** Records now present in the group's data (read from whichever server holds the group). */
  present: number[];
}

export interface Target {
  readonly name: 'lab' | 'pair';
  readonly servers: string[];
  readonly groups: string[];
  faults(): FaultName[];
  up(): Promise<void>;
  down(): Promise<void>;
  /** Inject one fault of this kind, choosing its details with rng. */
  inject(fault: FaultName, rng: Rng): Promise<Injected>;
  observe(): Promise<Observation>;
  /** Acknowledged vs present records of the group's writer (after the pair settled). */
  writer(): Promise<WriterReport>;
  /** The recent logs of both servers, printed with every violation. */
  recentLogs(lines: number): Promise<string>;
  /** Copies both servers' whole logs into dir (which exists) at a violation, before a later
   * step (a power cut, the pair going down) loses them; returns the files written. */
  keepLogs(dir: string): Promise<string[]>;
  /** ERROR lines any step may show (allow-list of the target). */
  readonly allow: RegExp[];
}

/** How the CLI makes a target: lab-target.ts and pair-target.ts each export `createTarget`. */
export interface TargetOptions {
  /** Progress lines of the target (the campaign's output). */
  log: (line: string) => void;
  /** A suffix that keeps this run's namespaces, ports and files apart from other runs. */
  instance?: string;
}
export type CreateTarget = (o: TargetOptions) => Target;
