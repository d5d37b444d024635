// clpwebpasswd: the web manager's accounts, from the serial console (the first password is
// set here: the web manager refuses every login until an account exists).
import { Accounts, roles, type Role } from '../../web/accounts';
import { accountsFile } from '../../web/paths';
import { parseArgs, UsageError } from '../args';
import type { Command } from '../context';

/** Lines from standard input, not echoed when it is a terminal; input left after one line
 * (two lines piped at once) is kept for the next. */
function secretReader(out: (s: string) => void) {
  const stdin = process.stdin;
  let pending = '';
  let ended = false;
  return async (prompt: string): Promise<string> => {
    out(prompt);
    const tty = stdin.isTTY;
    if (tty) stdin.setRawMode(true);
    return new Promise((resolve, reject) => {
      const take = (): boolean => {
        for (let i = 0; i < pending.length; i++) {
          const ch = pending[i];
          if (ch === '\u0003') { finish(); reject(new Error('interrupted')); return true; }
          if (ch === '\n' || ch === '\r') {
            const line = pending.slice(0, i).replace(/[^\b\u007f]?[\b\u007f]/g, '');
            pending = pending.slice(i + 1).replace(/^\n/, '');
            finish(); resolve(line); return true;
          }
        }
        if (ended) { finish(); if (pending) { const l = pending; pending = ''; resolve(l); } else reject(new UsageError('no password given (end of input)')); return true; }
        return false;
      };
      const onData = (c: Buffer) => { pending += c.toString('utf8'); take(); };
      const onEnd = () => { ended = true; take(); };
      const finish = () => { stdin.off('data', onData); stdin.off('end', onEnd); stdin.pause(); if (tty) { stdin.setRawMode(false); out('\n'); } };
      if (take()) return;
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      stdin.resume();
    });
  };
}

export const clpwebpasswd: Command = {
  summary: 'set a web manager password, remove an account, make a /metrics token',
  usage: 'clpwebpasswd USER [-r operator|readonly]   set USER\'s password (asked twice; default role operator)\n'
    + 'clpwebpasswd -d USER                        remove USER\nclpwebpasswd -l                             list accounts\n'
    + 'clpwebpasswd -k NAME [-r readonly|operator]  print a new scrape token for /metrics and the JSON API',
  async run(argv, ctx) {
    const { opts, rest } = parseArgs(argv, [{ names: ['-r'], key: 'r', value: true }, { names: ['-d'], key: 'd', value: true }, { names: ['-l'], key: 'l' }, { names: ['-k'], key: 'k', value: true }]);
    const accounts = new Accounts(accountsFile(ctx.paths.etc));
    const role = (opts.r ?? (opts.k ? 'readonly' : 'operator')) as Role;
    if (!roles.includes(role)) throw new UsageError(`-r: '${role}' is not a role (operator or readonly)`);
    if (opts.l) { for (const a of accounts.list()) ctx.out(`${a.user}\t${a.role}\n`); return 0; }
    if (opts.d) { if (!accounts.remove(opts.d as string)) { ctx.err(`clpwebpasswd: no account '${opts.d}'\n`); return 1; } ctx.out('Command succeeded.\n'); return 0; }
    if (opts.k) { ctx.out(`${accounts.newToken(opts.k as string, role)}\n`); return 0; }
    if (rest.length !== 1) throw new UsageError('give one USER');
    const read = secretReader(ctx.out);
    const pw = await read('New password: ');
    const again = await read('Again: ');
    if (pw !== again) { ctx.err('clpwebpasswd: the two passwords differ; nothing changed\n'); return 1; }
    await accounts.setPassword(rest[0], pw, role);
    ctx.out('Command succeeded.\n');
    return 0;
  },
};
