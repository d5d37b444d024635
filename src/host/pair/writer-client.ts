// The campaign's side of the writer (rootfs/opt/pairha/scripts/campaign/writer): run in the
// pair's client namespace, it sends record numbers 1, 2, 3 ... to the writer on the floating
// IP and prints "ack N" for each the writer confirmed on disk. A number is sent once: one whose
// answer never came is neither acknowledged nor sent again. stdin: "pause" (answered "paused"
// once nothing is in flight), "resume".
import * as net from 'node:net';
import * as readline from 'node:readline';

const [host, portText, timeoutText = '15000'] = process.argv.slice(2);
const port = Number(portText), timeoutMs = Number(timeoutText);
if (!host || !(port > 0 && port < 65536) || !(timeoutMs > 0)) {
  process.stderr.write(`writer-client: usage: writer-client HOST PORT [TIMEOUT_MS] (got ${JSON.stringify(process.argv.slice(2))})\n`);
  process.exit(2);
}

let next = 1;
let paused = false;
let pauseAsked = false;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One request on the connection; true when acknowledged. */
function request(c: net.Socket, n: number, lines: AsyncIterator<string>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    c.write(`${n}\n`);
    lines.next().then((r) => { clearTimeout(timer); resolve(!r.done && r.value === `ok ${n}`); }, () => { clearTimeout(timer); resolve(false); });
  });
}

function connect(): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const c = net.connect({ host, port, timeout: 5000 });
    c.once('connect', () => { c.setTimeout(0); resolve(c); });
    c.once('timeout', () => { c.destroy(); resolve(undefined); });
    c.once('error', () => resolve(undefined));
  });
}

async function loop(): Promise<void> {
  for (;;) {
    if (pauseAsked) { paused = true; pauseAsked = false; process.stdout.write('paused\n'); }
    if (paused) { await sleep(200); continue; }
    const c = await connect();
    if (!c) { await sleep(1000); continue; }
    c.on('error', () => {});
    const lines = readline.createInterface({ input: c })[Symbol.asyncIterator]();
    while (!paused && !pauseAsked) {
      const n = next++;
      if (!(await request(c, n, lines))) break;
      process.stdout.write(`ack ${n}\n`);
    }
    c.destroy();
    if (!pauseAsked && !paused) await sleep(1000);
  }
}

readline.createInterface({ input: process.stdin }).on('line', (l) => {
  if (l === 'pause') { if (paused) process.stdout.write('paused\n'); else pauseAsked = true; }
  else if (l === 'resume') paused = false;
}).on('close', () => process.exit(0));
void loop();
