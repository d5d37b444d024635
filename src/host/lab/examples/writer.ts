// The campaign's writer, run by the group as an asynchronous exec resource: for every "w"
// line a client sends, append the next record number (with this server's name and pid) to
// the records file, fsync it, and only then answer "ack N". The number continues from the
// file's last record, read once at start: two writers alive at once write the same numbers,
// which the campaign's audit finds (duplicates).
// Usage: node writer.js RECORDS_FILE ADDRESS PORT
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

function lastRecord(file: string): number {
  let text = '';
  try { text = fs.readFileSync(file, 'utf8'); } catch { return 0; }
  let last = 0;
  for (const line of text.split('\n')) { const n = Number(line.split(' ')[0]); if (Number.isInteger(n) && n > last) last = n; }
  return last;
}

if (require.main === module) {
  const [file, address, port] = process.argv.slice(2);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let n = lastRecord(file);
  const fd = fs.openSync(file, 'a');
  const who = `${process.env.CLP_SERVERNAME ?? '?'} ${process.pid}`;
  net.createServer((sock) => {
    let buf = '';
    sock.on('error', () => sock.destroy());
    sock.on('data', (d) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line !== 'w') { sock.end('bad request\n'); return; }
        n++;
        fs.writeSync(fd, `${n} ${who}\n`);
        fs.fsyncSync(fd);
        sock.write(`ack ${n}\n`);
      }
    });
  }).listen(Number(port), address);
}
