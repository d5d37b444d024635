// The web manager's accounts: one JSON file on the config partition (0600), passwords as
// scrypt hashes, scrape tokens as SHA-256 (a token is long and random, a slow hash adds
// nothing). The file is read on every check so that clpwebpasswd takes effect at once.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Role = 'operator' | 'readonly';
export const roles: readonly Role[] = ['operator', 'readonly'];

interface Account { role: Role; salt: string; hash: string; N: number; r: number; p: number }
interface AccountFile { users: Record<string, Account>; tokens: Record<string, { role: Role; sha256: string }> }

/** scrypt cost: N=2^15 takes 0.1-0.3 s on the development host, so each guess costs as much. */
const COST = { N: 1 << 15, r: 8, p: 1 };
const KEYLEN = 32;
const NAME = /^[A-Za-z0-9_.-]{1,32}$/;
export const MIN_PASSWORD = 8;

const scrypt = (pw: string, salt: Buffer, c: { N: number; r: number; p: number }) =>
  new Promise<Buffer>((resolve, reject) => crypto.scrypt(pw, salt, KEYLEN, { ...c, maxmem: 256 * c.N * c.r }, (e, k) => (e ? reject(e) : resolve(k))));

export class AccountError extends Error {}

export class Accounts {
  constructor(readonly file: string) {}

  private read(): AccountFile {
    let text: string;
    try { text = fs.readFileSync(this.file, 'utf8'); } catch { return { users: {}, tokens: {} }; }
    let data: AccountFile;
    try { data = JSON.parse(text) as AccountFile; } catch (e) { throw new AccountError(`${this.file}: not JSON (${(e as Error).message})`); }
    if (!data || typeof data.users !== 'object' || typeof data.tokens !== 'object') throw new AccountError(`${this.file}: 'users' and 'tokens' objects expected`);
    return data;
  }

  private write(data: AccountFile): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data, null, 1) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }

  /** No account yet: the server refuses every login until one is set from the console. */
  empty(): boolean { return Object.keys(this.read().users).length === 0; }

  list(): Array<{ user: string; role: Role }> { return Object.entries(this.read().users).map(([user, a]) => ({ user, role: a.role })); }

  async setPassword(user: string, password: string, role: Role): Promise<void> {
    if (!NAME.test(user)) throw new AccountError(`bad user name '${user.slice(0, 40)}' (1-32 of A-Z a-z 0-9 _ . -)`);
    if (!roles.includes(role)) throw new AccountError(`bad role '${String(role).slice(0, 20)}' (operator or readonly)`);
    if (password.length < MIN_PASSWORD) throw new AccountError(`password too short (at least ${MIN_PASSWORD} characters)`);
    const salt = crypto.randomBytes(16);
    const hash = await scrypt(password, salt, COST);
    const data = this.read();
    data.users[user] = { role, salt: salt.toString('base64'), hash: hash.toString('base64'), ...COST };
    this.write(data);
  }

  remove(user: string): boolean {
    const data = this.read();
    if (!data.users[user]) return false;
    delete data.users[user];
    this.write(data);
    return true;
  }

  /** The role of a correct user and password, else undefined. An unknown user costs the
   * same hash as a known one, so timing does not tell which names exist. */
  async verify(user: string, password: string): Promise<Role | undefined> {
    const a = this.read().users[user];
    const salt = a ? Buffer.from(a.salt, 'base64') : Buffer.alloc(16);
    const got = await scrypt(password, salt, a ?? COST);
    if (!a) return undefined;
    const want = Buffer.from(a.hash, 'base64');
    return want.length === got.length && crypto.timingSafeEqual(want, got) ? a.role : undefined;
  }

  /** A new scrape token (returned once, stored as its hash). */
  newToken(name: string, role: Role = 'readonly'): string {
    if (!NAME.test(name)) throw new AccountError(`bad token name '${name.slice(0, 40)}'`);
    const token = crypto.randomBytes(24).toString('base64url');
    const data = this.read();
    data.tokens[name] = { role, sha256: sha256(token) };
    this.write(data);
    return token;
  }

  tokenRole(token: string): Role | undefined {
    const h = Buffer.from(sha256(token), 'hex');
    for (const t of Object.values(this.read().tokens)) {
      const w = Buffer.from(t.sha256, 'hex');
      if (w.length === h.length && crypto.timingSafeEqual(w, h)) return t.role;
    }
    return undefined;
  }
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
