#!/usr/bin/env node
// Replaces one benchmark's section of a document with standard input, so each benchmark
// rewrites only its own figures: the section runs from "<!-- bench:NAME -->" to
// "<!-- /bench:NAME -->" (appended at the end when the document lacks it).
// Usage: node scripts/doc-section.js FILE NAME < section.md
'use strict';
const fs = require('node:fs');

const [file, name] = process.argv.slice(2);
if (!file || !/^[a-z0-9-]+$/.test(name ?? '')) {
  process.stderr.write('usage: doc-section.js FILE NAME < section.md (NAME: a-z, 0-9, -)\n');
  process.exit(2);
}
const open = `<!-- bench:${name} -->`;
const close = `<!-- /bench:${name} -->`;
const body = `${open}\n${fs.readFileSync(0, 'utf8').trim()}\n${close}`;
const doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
const a = doc.indexOf(open);
const b = doc.indexOf(close);
let out;
if (a >= 0 && b > a) out = doc.slice(0, a) + body + doc.slice(b + close.length);
else if (a >= 0 || b >= 0) { process.stderr.write(`${file}: unbalanced markers of section ${name}\n`); process.exit(1); }
else out = `${doc.trimEnd()}\n\n${body}\n`;
fs.writeFileSync(file, out);
