// One QMP command to a box's qemu (power: system_reset, quit), over its unix socket.
import * as net from 'node:net';

export function qmp(socketPath: string, execute: string, args?: Record<string, unknown>, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const c = net.connect(socketPath);
    let buf = '';
    let sent = 0;
    const timer = setTimeout(() => { c.destroy(); reject(new Error(`qmp ${execute}: no answer in ${timeoutMs} ms`)); }, timeoutMs);
    const done = (e: Error | null, v?: unknown) => { clearTimeout(timer); c.destroy(); if (e) reject(e); else resolve(v); };
    c.on('error', (e) => done(new Error(`qmp ${socketPath}: ${e.message}`)));
    // quit closes the socket before or instead of answering: that is success.
    c.on('close', () => { if (sent === 2 && execute === 'quit') done(null); });
    c.on('data', (d) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
        let msg: { QMP?: unknown; return?: unknown; error?: { desc: string }; event?: string };
        try { msg = JSON.parse(line); } catch { continue; }
        if (msg.QMP) { c.write('{"execute":"qmp_capabilities"}\n'); sent = 1; continue; }
        if (msg.event) continue;
        if (msg.error) return done(new Error(`qmp ${execute}: ${msg.error.desc}`));
        if (sent === 1) { c.write(`${JSON.stringify({ execute, arguments: args })}\n`); sent = 2; continue; }
        if (sent === 2) return done(null, msg.return);
      }
    });
  });
}
