// Login sessions: random ids in an HttpOnly cookie, each with its CSRF token; a session ends
// after idleMs without a request or absoluteMs after login, whichever comes first. Kept in
// memory: restarting the web manager logs everyone out, which is the safe side.
import * as crypto from 'node:crypto';
import type { Role } from './accounts';

export interface Session { id: string; user: string; role: Role; csrf: string; created: number; seen: number }
export interface SessionTimes { idleMs: number; absoluteMs: number }
export const defaultTimes: SessionTimes = { idleMs: 15 * 60_000, absoluteMs: 8 * 3600_000 };

export class Sessions {
  private readonly map = new Map<string, Session>();
  constructor(private readonly times: SessionTimes = defaultTimes, private readonly now: () => number = Date.now) {}

  create(user: string, role: Role): Session {
    const t = this.now();
    const s: Session = { id: crypto.randomBytes(24).toString('base64url'), user, role, csrf: crypto.randomBytes(24).toString('base64url'), created: t, seen: t };
    this.map.set(s.id, s);
    return s;
  }

  /** The live session of an id (touching it), or undefined; expired ones are dropped. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.map.get(id);
    if (!s) return undefined;
    const t = this.now();
    if (t - s.seen > this.times.idleMs || t - s.created > this.times.absoluteMs) { this.map.delete(id); return undefined; }
    s.seen = t;
    return s;
  }

  end(id: string): void { this.map.delete(id); }

  /** Constant-time check of a request's CSRF token against its session's. */
  static csrfOk(s: Session, given: unknown): boolean {
    if (typeof given !== 'string') return false;
    const a = Buffer.from(s.csrf), b = Buffer.from(given);
    return a.length === b.length && crypto.timingSafeEqual(a, b);
  }

  get size(): number { return this.map.size; }
}
