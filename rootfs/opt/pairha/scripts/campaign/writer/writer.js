// The campaign's writer (src/host/campaign/pair-target.ts), an exec resource of the group
// holding md1: the host sends a record number per line; the number is appended to the record
// file on the mirror disk and fsync'ed, and only then acknowledged ("ok N"). The host keeps
// the acknowledgements, so a record acknowledged but missing after a failover is a lost write.
'use strict';
const fs = require('fs');
const net = require('net');
const [dir, port] = process.argv.slice(2);
fs.mkdirSync(dir, { recursive: true });
const file = `${dir}/records`;
const fd = fs.openSync(file, 'a');
fs.fsyncSync(fs.openSync(dir, 'r'));   // the file's directory entry, once

net.createServer((c) => {
  let buf = '';
  c.setEncoding('latin1');
  c.on('error', () => c.destroy());
  c.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
      if (!/^\d{1,15}$/.test(line)) { c.end(`error: not a record number: ${JSON.stringify(line.slice(0, 40))}\n`); return; }
      try {
        fs.writeSync(fd, `${line}\n`);
        fs.fsyncSync(fd);
      } catch (e) { c.end(`error: ${file}: ${e.message}\n`); return; }
      c.write(`ok ${line}\n`);
    }
    if (buf.length > 64) c.end('error: line too long\n');
  });
}).listen(Number(port));
