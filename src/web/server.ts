// The web manager's HTTPS server: static pages, the JSON API, /metrics. Nothing but the
// page shell and the login answers without a session (cookie) or a scrape token (bearer);
// actions need the operator role, and a session's actions its CSRF token in a header, which
// a cross-site form or image cannot set. Bad requests get a JSON error naming what was wrong;
// no request can throw out of the handler.
import * as fs from 'node:fs';
import * as https from 'node:https';
import type * as http from 'node:http';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { Send } from '../control/op';
import type { ClusterConfig } from '../config/types';
import { Accounts, type Role } from './accounts';
import { actions, reads, runAction } from './api';
import { health } from './health';
import { LoginLimiter } from './limiter';
import { Sessions, type Session } from './sessions';

export interface WebDeps {
  send: Send;
  config: () => ClusterConfig;
  accounts: Accounts;
  sessions: Sessions;
  limiter: LoginLimiter;
  metrics: MetricsRegistry;
  /** Where the pages are (web/ of the install). */
  assets: string;
  /** A failed login, for the alert log. */
  loginFailed: (user: string, address: string) => void;
}

const COOKIE = 'pairha_sid';
const MAX_BODY = 16 * 1024;
const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml' };
const security = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000', 'cache-control': 'no-store',
};

class HttpError extends Error { constructor(readonly status: number, message: string) { super(message); } }

interface Who { role: Role; session?: Session; user: string }
interface Req { req: http.IncomingMessage; res: http.ServerResponse; url: URL; who?: Who; addr: string }
type Handler = (r: Req, d: WebDeps) => Promise<unknown>;

/** Routes as data: method, path, least role (none: open), handler (JSON result). */
interface Route { method: 'GET' | 'POST'; path: string | RegExp; role?: Role; handle: Handler }
const routes: Route[] = [
  { method: 'POST', path: '/api/login', handle: login },
  { method: 'POST', path: '/api/logout', role: 'readonly', handle: async (r, d) => { if (r.who?.session) d.sessions.end(r.who.session.id); r.res.setHeader('set-cookie', cookie('', 0)); return { code: 0 }; } },
  { method: 'GET', path: '/api/session', role: 'readonly', handle: async (r) => ({ user: r.who!.user, role: r.who!.role, csrf: r.who!.session?.csrf }) },
  { method: 'GET', path: '/api/cluster', role: 'readonly', handle: (r, d) => reads.clusterPage(d.send) },
  { method: 'GET', path: '/api/alerts', role: 'readonly', handle: (r, d) => reads.alerts(d.send, count(r.url.searchParams.get('n'), 'n', 1, 10000, 200)) },
  { method: 'GET', path: '/api/mirrors', role: 'readonly', handle: (r, d) => reads.mirrors(d.send, d.config()) },
  { method: 'GET', path: '/api/health', role: 'readonly', handle: () => health() },
  { method: 'GET', path: '/api/actions', role: 'readonly', handle: async () => Object.fromEntries(Object.entries(actions).map(([k, a]) => [k, a.confirm])) },
  { method: 'POST', path: /^\/api\/action\/([a-z-]{1,40})$/, role: 'operator', handle: async (r, d) => {
    const res = await runAction(d.send, /^\/api\/action\/([a-z-]+)$/.exec(r.url.pathname)![1], await jsonBody(r.req));
    if (res.status !== 200) throw new HttpError(res.status, res.body.message ?? `code ${res.body.code}`);
    return res.body;
  } },
];

function count(v: string | null, name: string, min: number, max: number, def: number): number {
  if (v === null) return def;
  if (!/^\d{1,7}$/.test(v) || Number(v) < min || Number(v) > max) throw new HttpError(400, `query '${name}': '${v.slice(0, 20)}' is not a whole number from ${min} to ${max}`);
  return Number(v);
}

const cookie = (v: string, maxAge?: number) => `${COOKIE}=${v}; Path=/; HttpOnly; Secure; SameSite=Strict${maxAge !== undefined ? `; Max-Age=${maxAge}` : ''}`;
const cookieOf = (req: http.IncomingMessage) => /(?:^|;\s*)pairha_sid=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? '')?.[1];

async function jsonBody(req: http.IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'the body must be sent as application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try { return text ? JSON.parse(text) : {}; } catch (e) { throw new HttpError(400, `the body is not JSON: ${(e as Error).message}`); }
}

async function login(r: Req, d: WebDeps): Promise<unknown> {
  const body = await jsonBody(r.req) as { user?: unknown; password?: unknown };
  if (!body || typeof body.user !== 'string' || typeof body.password !== 'string') throw new HttpError(400, "login: 'user' and 'password' strings expected");
  const user = body.user.slice(0, 64);
  const wait = d.limiter.blockedFor(r.addr);
  if (wait > 0) throw new HttpError(429, `too many failed logins from ${r.addr}: try again in ${Math.ceil(wait / 1000)} s`);
  if (d.accounts.empty()) throw new HttpError(403, 'no account is set yet: set the first password on the serial console (clpwebpasswd)');
  const role = await d.accounts.verify(user, body.password);
  if (!role) {
    d.limiter.fail(r.addr);
    d.loginFailed(user, r.addr);
    throw new HttpError(401, 'wrong user name or password');
  }
  d.limiter.succeed(r.addr);
  const s = d.sessions.create(user, role);
  r.res.setHeader('set-cookie', cookie(s.id));
  return { user, role, csrf: s.csrf };
}

/** Who makes the request: a session cookie or a bearer token; undefined for nobody. */
function whoIs(req: http.IncomingMessage, d: WebDeps): Who | undefined {
  const auth = /^Bearer ([A-Za-z0-9_-]{1,100})$/.exec(req.headers.authorization ?? '');
  if (auth) { const role = d.accounts.tokenRole(auth[1]); return role ? { role, user: 'token' } : undefined; }
  const s = d.sessions.get(cookieOf(req));
  return s ? { role: s.role, session: s, user: s.user } : undefined;
}

/** A state change by a session must come from our own page: same Origin when the browser
 * sends one, and the session's CSRF token in X-CSRF-Token. */
function checkCsrf(r: Req): void {
  const s = r.who?.session;
  if (!s) return; // bearer tokens are not sent by browsers on their own
  const origin = r.req.headers.origin;
  if (origin && origin !== `https://${r.req.headers.host}`) throw new HttpError(403, `cross-site request refused (Origin ${origin.slice(0, 80)})`);
  if (!Sessions.csrfOk(s, r.req.headers['x-csrf-token'])) throw new HttpError(403, 'missing or wrong CSRF token (X-CSRF-Token)');
}

const allows = (have: Role, need: Role) => need === 'readonly' || have === 'operator';

async function serveStatic(r: Req, d: WebDeps): Promise<boolean> {
  const name = r.url.pathname === '/' ? 'index.html' : r.url.pathname.slice(1);
  if (!/^[a-z0-9-]+\.(html|js|css|png|svg)$/.test(name)) return false;
  let body: Buffer;
  try { body = await fs.promises.readFile(path.join(d.assets, name)); } catch { return false; }
  r.res.writeHead(200, { ...security, 'content-type': types[path.extname(name)] });
  r.res.end(body);
  return true;
}

export async function handle(req: http.IncomingMessage, res: http.ServerResponse, d: WebDeps): Promise<void> {
  const send = (status: number, body: unknown, type = 'application/json') => {
    if (res.headersSent) { res.end(); return; }
    res.writeHead(status, { ...security, 'content-type': type });
    res.end(type === 'application/json' ? JSON.stringify(body) : String(body));
  };
  try {
    const url = new URL(req.url ?? '/', 'https://x');
    const r: Req = { req, res, url, addr: (req.socket.remoteAddress ?? '?').replace(/^::ffff:(?=\d+\.)/, '') }; // IPv4 as IPv4
    if (url.pathname === '/metrics') {
      if (req.method !== 'GET') throw new HttpError(405, '/metrics: GET only');
      if (!whoIs(req, d)) { res.setHeader('www-authenticate', 'Bearer'); throw new HttpError(401, '/metrics needs a token (Authorization: Bearer) or a session'); }
      return send(200, await d.metrics.metrics(), d.metrics.contentType);
    }
    const route = routes.find((x) => (typeof x.path === 'string' ? x.path === url.pathname : x.path.test(url.pathname)));
    if (!route) {
      if (req.method === 'GET' && await serveStatic(r, d)) return;
      throw new HttpError(404, `no such page or API: ${url.pathname.slice(0, 80)}`);
    }
    if (req.method !== route.method) throw new HttpError(405, `${url.pathname}: ${route.method} only`);
    if (route.role) {
      r.who = whoIs(req, d);
      if (!r.who) throw new HttpError(401, 'not logged in (or the session expired)');
      if (!allows(r.who.role, route.role)) throw new HttpError(403, `${url.pathname} needs the ${route.role} role; '${r.who.user}' is ${r.who.role}`);
      if (route.method === 'POST') checkCsrf(r);
    } else if (route.method === 'POST' && req.headers.origin && req.headers.origin !== `https://${req.headers.host}`) {
      throw new HttpError(403, `cross-site request refused (Origin ${req.headers.origin.slice(0, 80)})`);
    }
    send(200, await route.handle(r, d));
  } catch (e) {
    if (e instanceof HttpError) send(e.status, { code: e.status, message: e.message });
    else send(500, { code: 500, message: `internal error: ${(e as Error).message}` });
  }
}

/** What one server holds for its connections, so that a flood costs it a bounded number of
 * descriptors and a flood from one address leaves room for an operator elsewhere
 * (test/lab/web-flood.test.ts). A browser opens about six. */
export const webLimits = {
  /** Connections at once from one address; more are closed at once. */
  perSource: 32,
  /** Connections at once in all. */
  total: 256,
  /** The TLS handshake must be over by then (a silent connection holds nothing longer). */
  handshakeMs: 5000,
  headersMs: 10000,
  requestMs: 30000,
};

export function createServer(tls: { key: Buffer; cert: Buffer }, d: WebDeps, limits = webLimits): https.Server {
  const server = https.createServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2', handshakeTimeout: limits.handshakeMs }, (req, res) => { void handle(req, res, d); });
  server.headersTimeout = limits.headersMs;
  server.requestTimeout = limits.requestMs;
  server.maxConnections = limits.total;
  const bySource = new Map<string, number>();
  server.on('connection', (sock: Socket) => {
    const src = sock.remoteAddress ?? '';
    const n = (bySource.get(src) ?? 0) + 1;
    if (n > limits.perSource) { sock.destroy(); return; }
    bySource.set(src, n);
    sock.once('close', () => { const left = (bySource.get(src) ?? 1) - 1; if (left) bySource.set(src, left); else bySource.delete(src); });
  });
  server.on('clientError', (_e, sock) => sock.destroy());
  return server;
}
