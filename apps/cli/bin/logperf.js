#!/usr/bin/env node
// The `logperf` command as npm links it: a committed file (npm links bins before anything is built) that runs the build.
import console from 'node:console';
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('logperf: apps/cli/dist is not built yet; run `npm run build` at the repository root (npm ci does it)');
  process.exit(1);
}
await import(main.href);
