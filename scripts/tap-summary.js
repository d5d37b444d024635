// Counts the tests of each file (test points one level inside a file's subtest) and prints
// the closing line. A file that failed without reporting any inner test counts as one failure.
const fs = require('node:fs');
let passed = 0, failed = 0, skipped = 0;
for (const f of process.argv.slice(2)) {
  let inner = 0;
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
    const m = /^( {4})?(not ok|ok) \d+\b(.*)$/.exec(line);
    if (!m) continue;
    if (!m[1]) { // a file's own result line
      if (m[2] === 'not ok' && inner === 0) failed++;
      inner = 0;
      continue;
    }
    inner++;
    if (/#\s*(SKIP|TODO)/i.test(m[3])) skipped++;
    else if (m[2] === 'ok') passed++;
    else failed++;
  }
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
