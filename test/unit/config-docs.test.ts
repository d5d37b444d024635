import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { configDoc } from '../../src/config/docs';

t.test('docs/config.md has one line per key of the schema', async (t) => {
  const doc = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'config.md'), 'utf8');
  t.equal(doc, configDoc(), 'regenerate with: node dist/config/docs.js > docs/config.md');
});
