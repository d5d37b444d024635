// clpmdstat --mirror output, in the layouts of seed §11.10.2 (normal, needs recovery,
// needs forced recovery) and §11.10.3 (recovering, with the Recovery Status table).
// Tab-separated rows as the seed prints them; "Abnormal" keeps the seed's two trailing blanks.
import { percent, type MirrorDecision, type Side } from './state';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `2004/03/04 17:30:05` in local time; `--` when never. */
export function formatTime(unix: number): string {
  if (!unix) return '--';
  const d = new Date(unix * 1000);
  return `${d.getFullYear()}/${pad2(d.getMonth() + 1)}/${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** `00:01:59` from seconds. */
export function formatDuration(sec: number): string {
  const s = Math.max(0, Math.floor(sec));
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
}

export interface MirrorView { resource: string; sides: [Side, Side]; decision: MirrorDecision }

const row = (...cells: string[]) => cells.join('\t');

export function formatMirrorStatus(v: MirrorView): string {
  const { resource, sides, decision: d } = v;
  const head = row(resource, sides[0].server, sides[1].server);
  const colors = row('Mirror Color', ...d.colors);

  if (d.case === 'normal') return [`Mirror Status: Normal`, '', head, colors].join('\n') + '\n';

  if (d.case === 'recovering') {
    const src = sides.find((s) => s.server === d.direction?.from)?.status;
    const lines = [
      'Mirror Status: Recovering', '', head, '', colors, '', row('Recovery Status', 'Value'), '',
      row('Status:', 'Recovering'),
      row('Direction:', d.direction ? `${d.direction.from} -> ${d.direction.to}` : '--'),
      row('Percent:', src ? `${src.pct}%` : '--'),
      row('Used Time:', src ? formatDuration(src.elapsed) : '--'),
      row('Remain Time:', src ? formatDuration(src.remaining) : '--'),
    ];
    return lines.join('\n') + '\n';
  }

  // Abnormal: a side whose data is outdated while the other holds the latest shows no
  // times or difference (its bitmap says nothing about the latest data).
  const shown = sides.map((s, i) => !!s.status?.bound && !(d.colors[i] === 'RED' && d.latest.length > 0));
  const cell = (i: number, f: (st: NonNullable<Side['status']>) => string) => (shown[i] ? f(sides[i].status!) : '--');
  const diskErr = (i: number) => (sides[i].status?.bound ? (sides[i].status!.diskErr ? 'ERROR' : 'OK') : '--');
  const lines = [
    'Mirror Status: Abnormal  ', `Total Difference: ${d.difference}%`, '', head, colors,
    row('Lastupdate Time', cell(0, (s) => formatTime(s.lastUpdate)), cell(1, (s) => formatTime(s.lastUpdate))),
    row('Break Time', cell(0, (s) => formatTime(s.breakTime)), cell(1, (s) => formatTime(s.breakTime))),
    row('Disk Error', diskErr(0), diskErr(1)),
    row('Difference Percent', cell(0, (s) => `${percent(s.dirty, s.chunks)}%`), cell(1, (s) => `${percent(s.dirty, s.chunks)}%`)),
  ];
  return lines.join('\n') + '\n';
}
