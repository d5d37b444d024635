// Page-cache-bypassing I/O for the disk heartbeat, from the native addon
// native/directio (built into dist/native by scripts/build-native.sh).
import * as path from 'node:path';

export interface DirectIO {
  read(file: string, offset: number, length: number): Promise<Buffer>;
  write(file: string, offset: number, data: Buffer): Promise<void>;
  blockSize(file: string): number;
}

interface Addon {
  read(file: string, offset: number, length: number, cb: (e: Error | null, b?: Buffer) => void): void;
  write(file: string, offset: number, data: Buffer, cb: (e: Error | null) => void): void;
  blockSize(file: string): number;
}

export const addonPath = path.resolve(__dirname, '..', '..', 'dist', 'native', 'directio.node');

/** The addon, or why it cannot be loaded (the caller reports it and falls back). */
export function loadDirectIO(file = addonPath): DirectIO | Error {
  let a: Addon;
  try { a = require(file) as Addon; } catch (e) { return e as Error; }
  return {
    read: (f, o, n) => new Promise((res, rej) => a.read(f, o, n, (e, b) => (e ? rej(e) : res(b!)))),
    write: (f, o, d) => new Promise((res, rej) => a.write(f, o, d, (e) => (e ? rej(e) : res()))),
    blockSize: (f) => a.blockSize(f),
  };
}
