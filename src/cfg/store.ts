// This server's copy of the configuration and the push staged beside it: prepare checks the
// text as the runtime would load it (parser, this server in it, its key) and writes it next to
// clp.conf; commit renames it over (key first), so a crash leaves the old or the new file.
import * as fs from 'node:fs';
import { ConfigError, findLocalServer, loadKey, parseConfig } from '../config';
import { generationOf } from '../config/generation';

interface Staged { generation: number; text: string; keyFile: string; key?: Buffer }

export class ConfigStore {
  private staged?: Staged;
  constructor(readonly configFile: string, private readonly localName: string) {}

  text(): string { return fs.readFileSync(this.configFile, 'utf8'); }
  generation(): number {
    try { return generationOf(this.text()); } catch { return 0; }
  }

  /** Check and stage; the reason it is refused, or undefined. */
  prepare(text: string, generation: number, key: Buffer | undefined): string | undefined {
    const mine = this.generation();
    if (generationOf(text) !== generation) return `the configuration says generation ${generationOf(text)}, the push ${generation}`;
    if (generation <= mine) return `generation ${generation} is not newer than this server's ${mine}: refused`;
    let config;
    try {
      config = parseConfig(text, this.configFile);
      findLocalServer(config, this.localName);
      if (key && key.length < 16) return `the new cluster key has ${key.length} bytes; at least 16 are needed`;
      if (!key) loadKey(config);
    } catch (e) {
      return e instanceof ConfigError ? e.message : (e as Error).message;
    }
    const keyFile = config.cluster.keyFile;
    this.discard();
    writePrivate(`${this.configFile}.staged`, text);
    if (key) writePrivate(`${keyFile}.staged`, key);
    this.staged = { generation, text, keyFile, key };
    return undefined;
  }

  commit(generation: number): string | undefined {
    const s = this.staged;
    if (!s || s.generation !== generation) return `no configuration of generation ${generation} is prepared here`;
    if (s.key) fs.renameSync(`${s.keyFile}.staged`, s.keyFile);
    fs.renameSync(`${this.configFile}.staged`, this.configFile);
    this.staged = undefined;
    return undefined;
  }

  abort(generation: number): void {
    if (this.staged?.generation === generation) this.discard();
  }

  private discard(): void {
    if (this.staged?.key) fs.rmSync(`${this.staged.keyFile}.staged`, { force: true });
    fs.rmSync(`${this.configFile}.staged`, { force: true });
    this.staged = undefined;
  }
}

function writePrivate(file: string, data: string | Buffer): void {
  const fd = fs.openSync(file, 'w', 0o600);
  try { fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  fs.chmodSync(file, 0o600);
}
