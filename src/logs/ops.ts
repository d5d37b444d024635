// Serving the log collection ops: pack here, or forward to the server named (the peer leg
// goes over the authenticated peer channel; from there it is served only by the server named).
import * as fs from 'node:fs';
import { call, toServer, type ControlRegistry } from '../control/op';
import type { PeerControl } from '../control/types';
import { archivePath, packServer, type CollectDeps } from './collect';
import { CHUNK_BYTES, logOps } from './protocol';

export interface LogOpsDeps {
  peer: PeerControl;
  local: string;
  servers: string[];
  /** Where archives wait to be read (paths.tmp). */
  tmp: string;
  collect: () => CollectDeps;
}

/** Archives nobody read to the end are removed after this long. */
const STALE_MS = 3600000;

export function serveLogOps(reg: ControlRegistry, d: LogOpsDeps): void {
  /** undefined: serve here; a string: refuse with it; else forward to that server. */
  const route = (server: string | undefined, local: boolean): undefined | { refuse: string } | { to: string } => {
    if (server === undefined || server === d.local) return undefined;
    if (!d.servers.includes(server)) return { refuse: `unknown server '${server}' (${d.servers.join(', ')})` };
    return local ? { to: server } : { refuse: `this is ${d.local}, not ${server}` };
  };

  reg.serve(logOps.collect, async (a, origin) => {
    const r = route(a.server, origin.local);
    if (r && 'refuse' in r) return { code: 2, message: r.refuse };
    if (r) return call(toServer(d.peer, r.to), logOps.collect, a);
    removeStale(d.tmp);
    const p = await packServer(d.tmp, d.local, a.type, d.collect());
    return { code: 0, data: { id: p.id, size: p.size } };
  });

  reg.serve(logOps.chunk, async (a, origin) => {
    const r = route(a.server, origin.local);
    if (r && 'refuse' in r) return { code: 2, message: r.refuse };
    if (r) return call(toServer(d.peer, r.to), logOps.chunk, a);
    const file = archivePath(d.tmp, a.id);
    let fd: number;
    try { fd = fs.openSync(file, 'r'); } catch { return { code: 1, message: `no archive ${a.id} on ${d.local} (collected and read already, or removed)` }; }
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.max(0, Math.min(CHUNK_BYTES, size - a.offset)));
      fs.readSync(fd, buf, 0, buf.length, a.offset);
      const eof = a.offset + buf.length >= size;
      if (eof) fs.rmSync(file, { force: true });
      return { code: 0, data: { data: buf.toString('base64'), eof } };
    } finally {
      fs.closeSync(fd);
    }
  });
}

function removeStale(tmp: string): void {
  let names: string[];
  try { names = fs.readdirSync(tmp); } catch { return; }
  for (const n of names.filter((x) => /^logcc-[0-9a-f]{16}(\.tar\.gz)?$/.test(x))) {
    const f = `${tmp}/${n}`;
    try { if (Date.now() - fs.statSync(f).mtimeMs > STALE_MS) fs.rmSync(f, { recursive: true, force: true }); } catch { /* gone meanwhile */ }
  }
}
