#!/usr/bin/env node
// The `triage` command. It runs the TypeScript CLI through tsx, a run-time dependency (not a dev one), so
// the CLI works the same from a clone, after `npm ci --omit=dev`, and from an installed package, with no
// build step and no generated file to keep in step with the sources.
import { fileURLToPath } from 'node:url';
import { nodeVersionProblem } from './node-version.mjs';

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

// tsx's loader, as `node --import tsx` would register it, with our tsconfig.json rather than the nearest
// one (the caller's project's, when the package is installed).
process.env.TSX_TSCONFIG_PATH = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
await import('tsx');
const { main } = await import('../cli/main.ts');
// `triage extract < big.log | head`: a reader that stops early ends the command quietly.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});
process.exitCode = await main(process.argv.slice(2));
