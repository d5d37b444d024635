// The web manager's TLS key and certificate: <etc>/web/server.key and server.crt on the
// config partition. Generated (self-signed, ECDSA P-256, 10 years) by openssl on first start;
// an operator replaces them by writing their own pair there and restarting clusterpro_webmgr.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Platform } from '../platform/types';

export interface TlsFiles { key: string; cert: string }
export const tlsFiles = (dir: string): TlsFiles => ({ key: path.join(dir, 'server.key'), cert: path.join(dir, 'server.crt') });

/** The key and certificate, generated first when neither exists. One without the other is
 * an operator's half-done replacement: refused rather than overwritten. */
export async function ensureTls(dir: string, cn: string, platform: Platform): Promise<{ key: Buffer; cert: Buffer; generated: boolean }> {
  const f = tlsFiles(dir);
  const have = [fs.existsSync(f.key), fs.existsSync(f.cert)];
  let generated = false;
  if (have[0] !== have[1]) throw new Error(`${have[0] ? f.cert : f.key} is missing while ${have[0] ? f.key : f.cert} exists: put both or neither`);
  if (!have[0]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const r = await platform.run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${f.key}.tmp`, '-out', `${f.cert}.tmp`, '-days', '3650', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`],
    { timeoutMs: 30000, env: { ...process.env, OPENSSL_CONF: '/dev/null' } });
    if (r.code !== 0) throw new Error(`openssl could not make the certificate: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`}`);
    fs.chmodSync(`${f.key}.tmp`, 0o600);
    fs.renameSync(`${f.cert}.tmp`, f.cert);
    fs.renameSync(`${f.key}.tmp`, f.key);
    generated = true;
  }
  return { key: fs.readFileSync(f.key), cert: fs.readFileSync(f.cert), generated };
}
