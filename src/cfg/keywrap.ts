// The cluster key travels to another server only encrypted: AES-256-GCM under a key derived
// (HKDF-SHA256, fresh salt) from the current cluster key, which both ends hold. The peer
// channel itself is authenticated, not encrypted (control/peer.ts).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const INFO = 'pairha clpcfctrl cluster key v1';

export interface WrappedKey { salt: string; iv: string; data: string; tag: string }

const derive = (current: Buffer, salt: Buffer) => Buffer.from(hkdfSync('sha256', current, salt, INFO, 32));

export function wrapKey(current: Buffer, next: Buffer): WrappedKey {
  const salt = randomBytes(16), iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', derive(current, salt), iv);
  const data = Buffer.concat([c.update(next), c.final()]);
  return { salt: salt.toString('base64'), iv: iv.toString('base64'), data: data.toString('base64'), tag: c.getAuthTag().toString('base64') };
}

/** The key, or why it cannot be read (a sender with another cluster key, a damaged message). */
export function unwrapKey(current: Buffer, w: WrappedKey): Buffer | string {
  try {
    const d = createDecipheriv('aes-256-gcm', derive(current, Buffer.from(w.salt, 'base64')), Buffer.from(w.iv, 'base64'));
    d.setAuthTag(Buffer.from(w.tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(w.data, 'base64')), d.final()]);
  } catch {
    return 'the new cluster key cannot be decrypted with this server\'s cluster key';
  }
}

export function isWrappedKey(v: unknown): v is WrappedKey {
  const w = v as Record<string, unknown>;
  return !!w && typeof w === 'object' && ['salt', 'iv', 'data', 'tag'].every((k) => typeof w[k] === 'string' && (w[k] as string).length < 1024);
}
