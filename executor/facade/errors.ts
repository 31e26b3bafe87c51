// The executor's refusal, as the CLI's always-loaded modules (main.ts, the compile and lock checks)
// see it: this module imports nothing heavy, so `runbook --help` can load it.
export { RunRefused } from '../core/errors.js';
