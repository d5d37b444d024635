// `pairha pair console SERVER`: the terminal on a box's serial console (a unix socket of
// its qemu; everything is also in <server>.console.log). Ctrl-] detaches.
import * as net from 'node:net';

const DETACH = 0x1d;

export function attachConsole(socketPath: string, name: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stdout): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = net.connect(socketPath);
    const raw = input.isTTY;
    const finish = (e?: Error) => {
      input.off('data', onInput);
      if (raw) input.setRawMode(false);
      input.pause();
      c.destroy();
      if (e) reject(e); else resolve();
    };
    const onInput = (d: Buffer) => {
      const i = d.indexOf(DETACH);
      if (i >= 0) { if (i) c.write(d.subarray(0, i)); output.write('\r\n[detached]\r\n'); finish(); return; }
      c.write(d);
    };
    c.on('connect', () => {
      output.write(`[${name} console: Ctrl-] detaches]\r\n`);
      if (raw) input.setRawMode(true);
      input.resume();
      input.on('data', onInput);
      c.write('\r');
    });
    c.on('data', (d) => output.write(d));
    c.on('error', (e) => finish(new Error(`${name} console: ${e.message}`)));
    c.on('close', () => finish());
  });
}
