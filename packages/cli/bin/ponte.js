#!/usr/bin/env node
// The `ponte` command as npm links it. This file is committed, not compiled: npm makes the
// node_modules/.bin link at install time, before any build, and skips a bin whose file does not
// exist yet — which left `npx ponte` unusable until a second `npm install`.
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('ponte: the CLI is not built yet (packages/cli/dist/src/main.js is missing): run `npm run build` in the repository root, then try again\n');
  process.exit(1);
}
await import(main.href);
