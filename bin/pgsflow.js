#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../client/cli.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
