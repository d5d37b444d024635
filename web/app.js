// The web manager's page: plain DOM, no framework. Data comes from the JSON API (polled every
// 1.5 s while logged in); every action asks for confirmation, then POSTs with the session's
// CSRF token. Text from the server is only ever set as textContent.
'use strict';

const POLL_MS = 1500;
const $ = (id) => document.getElementById(id);
let session = null;
let page = 'cluster';
let timer = null;
const lastJson = {};

/** h('td', {class: 'x'}, 'text', child...) */
function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const k of kids.flat()) if (k !== undefined && k !== null) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
}
const table = (head, rows, label) => h('div', { class: 'scroll' }, h('table', { 'aria-label': label }, h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows)));
const cls = (text) => h('span', { class: String(text) }, text);
const time = (unix) => (unix ? new Date(unix * 1000).toLocaleString() : '--');
const dur = (s) => { s = Math.max(0, Math.floor(s)); const p = (n) => String(n).padStart(2, '0'); return `${p(Math.floor(s / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}`; };
const pct = (d, c) => (c > 0 ? Math.min(100, Math.ceil((d * 100) / c)) : 0);

async function api(path, opts = {}) {
  const headers = { 'content-type': 'application/json' };
  if (session && session.csrf) headers['x-csrf-token'] = session.csrf;
  const r = await fetch(path, { method: opts.body ? 'POST' : 'GET', headers, body: opts.body ? JSON.stringify(opts.body) : undefined, credentials: 'same-origin' });
  let data = null;
  try { data = await r.json(); } catch { /* empty */ }
  if (r.status === 401 && path !== '/api/login') { showLogin(); throw new Error('logged out'); }
  if (!r.ok) throw new Error((data && data.message) || `${r.status}`);
  return data;
}

// ---- login / logout ----
function showLogin() {
  session = null;
  clearInterval(timer);
  $('app').hidden = true; $('logout').hidden = true; $('who').textContent = '';
  $('login').hidden = false; $('user').focus();
}
function showApp(s) {
  session = s;
  $('login').hidden = true; $('app').hidden = false; $('logout').hidden = false;
  $('who').textContent = `${s.user} (${s.role})`;
  document.body.dataset.role = s.role;
  api('/api/actions').then((a) => { window.pairhaActions = a; lastJson.mirrors = null; }).catch(() => {});
  refresh();
  clearInterval(timer);
  timer = setInterval(refresh, POLL_MS);
}
$('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('login-error').textContent = '';
  try {
    const s = await api('/api/login', { body: { user: $('user').value, password: $('password').value } });
    $('password').value = '';
    showApp(s);
  } catch (e) { $('login-error').textContent = e.message; }
});
$('logout').addEventListener('click', async () => { try { await api('/api/logout', { body: {} }); } catch { /* gone anyway */ } showLogin(); });

// ---- tabs ----
for (const b of document.querySelectorAll('nav [role=tab]')) {
  b.addEventListener('click', () => select(b.dataset.page));
  b.addEventListener('keydown', (ev) => {
    const tabs = [...document.querySelectorAll('nav [role=tab]')];
    const i = tabs.indexOf(b) + (ev.key === 'ArrowRight' ? 1 : ev.key === 'ArrowLeft' ? -1 : 0);
    if (i !== tabs.indexOf(b)) { const t = tabs[(i + tabs.length) % tabs.length]; t.focus(); select(t.dataset.page); }
  });
}
function select(p) {
  page = p;
  for (const b of document.querySelectorAll('nav [role=tab]')) b.setAttribute('aria-selected', String(b.dataset.page === p));
  for (const s of document.querySelectorAll('section[data-page]')) s.hidden = s.dataset.page !== p;
  refresh();
}

// ---- actions with confirmation ----
function confirmDialog(title, text) {
  const d = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  d.returnValue = '';
  d.showModal();
  $('confirm-cancel').focus();
  return new Promise((resolve) => d.addEventListener('close', () => resolve(d.returnValue === 'ok'), { once: true }));
}
async function act(name, body, title, text) {
  if (!(await confirmDialog(title, text))) return;
  $('status').textContent = `${title}: running...`;
  try {
    const r = await api(`/api/action/${name}`, { body });
    $('status').textContent = `${title}: ${r.message || 'done'}`;
  } catch (e) { $('status').textContent = `${title}: ${e.message}`; }
  refresh();
}
const button = (id, label, onclick, extra = {}) => h('button', { id, type: 'button', onclick, 'data-op': 'operator', ...extra }, label);

// ---- rendering; a page is redrawn only when its data changed, keeping the focus ----
// The new tree is patched into the old one: an element of the same tag (and id) stays, with its
// listeners, and only its attributes and text change. A page redrawn every poll during a
// recovery must not replace the button under the operator's pointer. The handlers kept read
// names and their own row's selects, which stay too.
function patch(parent, fresh) {
  const old = [...parent.childNodes];
  fresh.forEach((n, i) => {
    const o = old[i];
    if (!o) parent.appendChild(n);
    else if (o.nodeType !== n.nodeType || o.nodeName !== n.nodeName || (o.nodeType === 1 && o.id !== n.id)) parent.replaceChild(n, o);
    else if (o.nodeType === 3) { if (o.data !== n.data) o.data = n.data; }
    else {
      for (const a of [...o.attributes]) if (!n.hasAttribute(a.name)) o.removeAttribute(a.name);
      for (const a of [...n.attributes]) if (o.getAttribute(a.name) !== a.value) o.setAttribute(a.name, a.value);
      patch(o, [...n.childNodes]);
    }
  });
  for (let i = fresh.length; i < old.length; i++) old[i].remove();
}
function redraw(name, data, render) {
  const json = JSON.stringify(data);
  if (lastJson[name] === json) return;
  lastJson[name] = json;
  const sec = $(`page-${name}`);
  const focused = document.activeElement && sec.contains(document.activeElement) ? document.activeElement.id : null;
  const selects = Object.fromEntries([...sec.querySelectorAll('select[id]')].map((s) => [s.id, s.value]));
  patch(sec, render(data).filter((n) => n !== null && n !== undefined).map((n) => (n instanceof Node ? n : document.createTextNode(String(n)))));
  for (const [id, v] of Object.entries(selects)) if ($(id)) $(id).value = v;
  if (focused && $(focused)) $(focused).focus();
}

function renderCluster(c) {
  const out = [];
  if (c.errors && c.errors.length) out.push(h('p', { class: 'error' }, c.errors.join('; ')));
  const v = c.view;
  if (!v) return out;
  const servers = v.servers.map((s) => s.name);
  out.push(h('h2', {}, `Cluster ${v.cluster}`), h('p', {}, `seen from ${v.local}; daemon ${c.daemon ? c.daemon.daemon : '?'}${v.suspended ? '; SUSPENDED' : ''}`));
  out.push(h('div', { class: 'actions' },
    button('cluster-start', 'Start cluster', () => act('cluster-start', {}, 'Start the cluster', 'Start the cluster daemon on every server.')),
    button('cluster-stop', 'Stop cluster', () => act('cluster-stop', {}, 'Stop the cluster', 'Stop every group and the cluster daemon on every server.')),
    button('cluster-suspend', 'Suspend', () => act('cluster-suspend', {}, 'Suspend the cluster', 'Heartbeats stop; groups stay where they are.')),
    button('cluster-resume', 'Resume', () => act('cluster-resume', {}, 'Resume the cluster', 'Heartbeats start again.')),
    button('cluster-reboot', 'Reboot pair', () => act('cluster-reboot', {}, 'Reboot both servers', 'Every group stops, then every server reboots.'), { class: 'danger' }),
    button('cluster-shutdown', 'Shut down pair', () => act('cluster-shutdown', {}, 'Power off both servers', 'Every group stops, then every server powers off.'), { class: 'danger' })));
  out.push(h('h2', {}, 'Servers'), table(['#', 'Server', 'Status', 'Operations'], v.servers.map((s) => h('tr', { 'data-server': s.name }, h('td', {}, s.index), h('td', {}, s.name), h('td', { class: 'server-status' }, cls(s.status)),
    h('td', {}, h('div', { class: 'actions' },
      button(`server-reboot-${s.name}`, 'Reboot', () => act('server-reboot', { host: s.name }, `Reboot ${s.name}`, `${s.name}'s groups move to the other server, then it reboots.`)),
      button(`server-shutdown-${s.name}`, 'Shut down', () => act('server-shutdown', { host: s.name }, `Shut down ${s.name}`, `${s.name}'s groups move to the other server, then it powers off.`), { class: 'danger' }))))), 'Servers'));
  out.push(h('h2', {}, 'Heartbeats'));
  const hbHead = ['Seen by', 'Server', ...v.heartbeats.map((hb) => `HB${hb.index} ${hb.name} (${hb.type})`)];
  const rows = [];
  v.servers.forEach((obs) => v.servers.forEach((s) => rows.push(h('tr', {}, h('td', {}, obs.name), h('td', {}, s.name),
    v.heartbeats.map((hb) => { const cell = ((v.matrix[obs.index] || [])[s.index] || [])[hb.index] || '-'; return h('td', { class: cell === 'o' ? 'ok' : cell === 'x' ? 'bad' : '', 'aria-label': cell === 'o' ? 'alive' : cell === 'x' ? 'down' : 'unknown' }, cell); })))));
  out.push(table(hbHead, rows, 'Heartbeat matrix'));
  const g = c.groups;
  if (g) {
    out.push(h('h2', {}, 'Groups'));
    out.push(table(['Group', 'State', 'Where', 'Resources', 'Operations'], g.groups.map((grp) => {
      const sel = h('select', { id: `move-to-${grp.name}`, 'aria-label': `Move ${grp.name} to` }, servers.filter((s) => !grp.current.includes(s)).map((s) => h('option', { value: s }, s)));
      return h('tr', { 'data-group': grp.name },
        h('td', {}, grp.name), h('td', {}, cls(grp.state)), h('td', { class: 'group-where' }, grp.current.join(', ') || '--'),
        h('td', {}, grp.resources.map((r) => `${r.name} (${r.type}) ${r.state}`).join('; ')),
        h('td', {}, h('div', { class: 'actions' },
          button(`group-start-${grp.name}`, 'Start', () => act('group-start', { group: grp.name }, `Start ${grp.name}`, `Start group ${grp.name} here.`)),
          button(`group-stop-${grp.name}`, 'Stop', () => act('group-stop', { group: grp.name }, `Stop ${grp.name}`, `Stop group ${grp.name} where it is active.`)),
          sel,
          button(`group-move-${grp.name}`, 'Move', () => act('group-move', { group: grp.name, host: sel.value }, `Move ${grp.name}`, `Move group ${grp.name} to ${sel.value}.`)))));
    }), 'Groups'));
    out.push(h('h2', {}, 'Monitors'), table(['Monitor', 'Type', 'Server', 'State'], g.monitors.map((m) => h('tr', {}, h('td', {}, m.name), h('td', {}, m.type), h('td', {}, m.server), h('td', {}, cls(m.state)))), 'Monitors'));
  }
  return out;
}

function renderAlerts(a) {
  const out = [h('h2', {}, 'Alert log (newest first)')];
  if (a.error) out.push(h('p', { class: 'error' }, a.error));
  out.push(table(['Time', 'Server', 'Module', 'ID', 'Level', 'Message'], a.entries.slice().reverse().map((e) =>
    h('tr', {}, h('td', {}, new Date(e.time).toLocaleString()), h('td', {}, e.server), h('td', {}, e.type), h('td', {}, e.id), h('td', { class: e.lvl === 'ERR' ? 'bad' : '' }, e.lvl), h('td', {}, e.text))), 'Alert log'));
  return out;
}

function renderMirrors(list) {
  const out = [];
  if (!list.length) out.push(h('p', {}, 'No mirror disk resource in the configuration.'));
  for (const m of list) {
    const card = h('div', { class: 'card', 'data-md': m.resource });
    card.append(h('h2', {}, `Mirror disk ${m.resource}`));
    if (m.error || !m.view) { card.append(h('p', { class: 'error' }, m.error || 'no status')); out.push(card); continue; }
    const { sides, decision: d } = m.view;
    const state = d.case === 'normal' ? 'Normal' : d.case === 'recovering' ? 'Recovering' : 'Abnormal';
    card.append(h('p', {}, 'Mirror status: ', h('span', { class: `md-state ${state === 'Abnormal' ? 'Error' : state}` }, state),
      ` · difference ${d.difference}%`, d.latest && d.latest.length ? ` · latest data on ${d.latest.join(', ')}` : ''));
    const src = d.direction ? sides.find((s) => s.server === d.direction.from) : undefined;
    if (d.case === 'recovering' && src && src.status) {
      card.append(h('p', { class: 'recovery' }, `Recovery ${d.direction.from} → ${d.direction.to}: `,
        h('progress', { max: 100, value: src.status.pct, 'aria-label': 'recovery progress' }), ' ',
        h('span', { class: 'md-pct' }, `${src.status.pct}%`), ` · used ${dur(src.status.elapsed)} · remaining ${dur(src.status.remaining)}`));
    }
    const row = (label, f) => h('tr', {}, h('th', { scope: 'row' }, label), sides.map((s) => h('td', {}, s.status && s.status.bound ? f(s.status, s) : '--')));
    card.append(table(['', ...sides.map((s) => s.server)], [
      row('Mirror color', (st, s) => h('span', { class: `badge ${d.colors[sides.indexOf(s)]}` }, d.colors[sides.indexOf(s)])),
      row('Difference status', (st) => cls(st.dirty > 0 ? 'Error' : 'Normal')),
      row('Active status', (st) => (st.port === 'open' ? 'Active' : 'Inactive')),
      row('Media error', (st) => cls(st.diskErr ? 'Error' : 'Normal')),
      row('Break time', (st) => time(st.breakTime)),
      row('Last update time', (st) => time(st.lastUpdate)),
      row('Device', (st) => `/dev/NMP${st.nmp}`),
      row('Difference', (st) => `${pct(st.dirty, st.chunks)}% (${st.dirty} of ${st.chunks} chunks)`),
      row('Connection', (st) => `${st.conn}, ${st.state}`),
    ], `Mirror ${m.resource}`));
    const from = h('select', { id: `force-from-${m.resource}`, 'aria-label': `Server holding the data of ${m.resource}` }, sides.map((s) => h('option', { value: s.server }, s.server)));
    const detail = h('pre', { id: `detail-${m.resource}`, hidden: true }, JSON.stringify(m.view, null, 1));
    card.append(h('div', { class: 'actions' },
      button(`md-recover-${m.resource}`, 'Recover', () => act('md-recover', { resource: m.resource }, `Recover ${m.resource}`, 'Copy the latest data to the other server (differences only where possible).')),
      'md-stop-recovery' in (window.pairhaActions || {}) ? button(`md-stop-${m.resource}`, 'Stop recovery', () => act('md-stop-recovery', { resource: m.resource }, `Stop recovery of ${m.resource}`, 'The copy stops; the mirror stays broken until the next recovery.')) : null,
      h('button', { id: `md-detail-${m.resource}`, type: 'button', 'aria-expanded': 'false', onclick: (ev) => { detail.hidden = !detail.hidden; ev.target.setAttribute('aria-expanded', String(!detail.hidden)); } }, 'Detail'),
      h('label', { class: 'inline' }, 'Data on ', from),
      button(`md-force-${m.resource}`, 'Force recovery', () => act('md-force', { resource: m.resource, server: from.value }, `Force recovery of ${m.resource}`, `${from.value}'s data becomes the latest and is copied in full to the other server.`), { class: 'danger' })), detail);
    out.push(card);
  }
  return out;
}

const mb = (n) => `${(n / 1048576).toFixed(0)} MiB`;
function renderHealth(x) {
  return [
    h('h2', {}, 'CPU'), h('p', {}, `load ${x.cpu.load}% (per core: ${x.cpu.cores.join('%, ')}%)`),
    h('h2', {}, 'Memory'), h('p', {}, `${mb(x.memory.used)} used of ${mb(x.memory.total)}, ${mb(x.memory.available)} available`),
    h('h2', {}, 'Temperature'), h('p', {}, x.temperature.main === null ? 'no sensor on this hardware' : `${x.temperature.main} °C`),
    h('h2', {}, 'File systems'), table(['Mount', 'Device', 'Size', 'Used'], x.disks.map((d) => h('tr', {}, h('td', {}, d.mount), h('td', {}, d.fs), h('td', {}, mb(d.size)), h('td', {}, `${d.use}%`))), 'File systems'),
    h('p', {}, `up ${dur(x.uptime)}`),
  ];
}

const pages = { cluster: ['/api/cluster', renderCluster], alerts: ['/api/alerts?n=200', renderAlerts], mirrors: ['/api/mirrors', renderMirrors], health: ['/api/health', renderHealth] };
let busy = false;
async function refresh() {
  if (!session || busy) return;
  busy = true;
  const [path, render] = pages[page];
  try { redraw(page, await api(path), render); } catch (e) { if (session) $('status').textContent = e.message; } finally { busy = false; }
}

(async () => {
  try { showApp(await api('/api/session')); } catch { showLogin(); }
})();
