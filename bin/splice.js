#!/usr/bin/env node
// Entry of the `splice` command: runs the bundled CLI (built by `npm run build`, which `npm install` runs).
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write(`splice: ${bundle} is missing; run \`npm run build\` in ${path.dirname(__dirname)}\n`);
  process.exit(1);
}
require(bundle).main(process.argv.slice(2));
