// The campaign's writer client, in the lab's client namespace: asks the writer behind the
// floating address for one record after another, and keeps every acknowledgement (fsync'ed)
// in a file outside the servers. While the pause file exists it asks nothing.
// Usage: node writer-client.js ADDRESS PORT ACKS_FILE PAUSE_FILE
import * as fs from 'node:fs';
import * as net from 'node:net';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One connection: a request, its ack, the next; ends at the first error or 1 s of silence. */
function session(address: string, port: number, acks: number, pause: string): Promise<void> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: address, port });
    let buf = '', timer: NodeJS.Timeout | undefined;
    const done = () => { clearTimeout(timer); sock.destroy(); resolve(); };
    const ask = async () => {
      while (fs.existsSync(pause)) await sleep(100);
      if (sock.destroyed) return;
      sock.write('w\n');
      timer = setTimeout(done, 1000);
    };
    sock.setTimeout(1000, done);
    sock.on('error', done);
    sock.on('close', done);
    sock.on('connect', () => { void ask(); });
    sock.on('data', (d) => {
      buf += d.toString();
      const m = /^ack (\d+)\n/.exec(buf);
      if (!m) return;
      buf = buf.slice(m[0].length);
      clearTimeout(timer);
      fs.writeSync(acks, `${m[1]}\n`);
      fs.fsyncSync(acks);
      setTimeout(() => { void ask(); }, 50);
    });
  });
}

if (require.main === module) {
  const [address, port, file, pause] = process.argv.slice(2);
  const acks = fs.openSync(file, 'a');
  (async () => {
    for (;;) { await session(address, Number(port), acks, pause); await sleep(200); }
  })();
}
