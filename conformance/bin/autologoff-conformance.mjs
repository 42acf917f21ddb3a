#!/usr/bin/env node
// autologoff-conformance: runs the checks in checks/ with Node's test runner against a running
// server. `--help` says how. The checks use nothing but Node.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../lib/options.mjs';

const parsed = parseArgs(process.argv.slice(2));
if (parsed.help) {
  console.log(parsed.help);
  process.exit(0);
}
if (parsed.error) {
  console.error('autologoff-conformance: ' + parsed.error);
  process.exit(2);
}
const checks = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'checks');
const files = fs.readdirSync(checks).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => path.join(checks, f));
const args = ['--test', '--test-concurrency=' + files.length];
if (parsed.options.only) args.push('--test-name-pattern=' + parsed.options.only);
const child = spawn(process.execPath, [...args, ...files], {
  stdio: 'inherit',
  env: { ...process.env, AUTOLOGOFF_CONFORMANCE_OPTIONS: JSON.stringify(parsed.options) },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
