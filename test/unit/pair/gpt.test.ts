// gptPartitionStart (Pair.reflashSystem's split of a disk image): the start of a GPT
// partition found by its name, on a hand-made GPT (header at LBA 1, entries at LBA 2).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { gptPartitionStart } from '../../../src/host/pair/pair';

function gpt(parts: Array<{ name: string; first: number }>): string {
  const b = Buffer.alloc(512 * 34);
  b.write('EFI PART', 512, 'latin1');
  b.writeBigUInt64LE(2n, 512 + 72);
  b.writeUInt32LE(128, 512 + 80);
  b.writeUInt32LE(128, 512 + 84);
  parts.forEach((p, i) => {
    const e = 1024 + (i + 1) * 128;   // (entry 0 left unused)
    b.writeBigUInt64LE(BigInt(p.first), e + 32);
    b.writeBigUInt64LE(BigInt(p.first + 2047), e + 40);
    b.write(p.name, e + 56, 'utf16le');
  });
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gpt-')), 'disk.img');
  fs.writeFileSync(f, b);
  t.teardown(() => fs.rmSync(path.dirname(f), { recursive: true, force: true }));
  return f;
}

t.test('the start of the named partition, in bytes', async (t) => {
  const img = gpt([{ name: 'system', first: 2048 }, { name: 'cluster', first: 657408 }, { name: 'data', first: 722944 }]);
  t.equal(gptPartitionStart(img, 'cluster'), 657408 * 512);
  t.equal(gptPartitionStart(img, 'data'), 722944 * 512);
  t.throws(() => gptPartitionStart(img, 'clust'), /no partition named clust/, 'a name is matched whole');
});

t.test('refused: no GPT, an unaligned partition', async (t) => {
  const none = gpt([]);
  fs.writeFileSync(none, Buffer.alloc(4096));
  t.throws(() => gptPartitionStart(none, 'cluster'), /no GPT/);
  t.throws(() => gptPartitionStart(gpt([{ name: 'cluster', first: 2049 }]), 'cluster'), /not 1 MiB aligned/);
});
