// CLI start-up (issue 12, item 6): `runbook --help` and `runbook validate` of this repository's
// library, each timed as a fresh process against a bare `node -e 0` measured in the same run, on the
// same machine, interleaved so a load spike hits all three alike. Goals: --help ≤ 2.5×, validate ≤ 6×.
// Run by bench/run.js; alone: `node bench/startup.js [--repeat R]` (after `npm run build`).
//
// `--trace` lists the modules each command loads (counted by bench/module-count.js), to see what a
// slow start pulls in.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = dirname(here);
const bin = join(repo, 'bin', 'runbook.js');

const i = process.argv.indexOf('--repeat');
// Start-up times are short and noisy: at least 15 runs each, whatever --repeat the corpus uses.
const repeat = Math.max(15, i >= 0 ? Number(process.argv[i + 1]) : 15);

const cases = [
  { label: 'node -e 0 (baseline)', args: ['-e', '0'] },
  { label: 'runbook --help', args: [bin, '--help'], goal: 2.5 },
  { label: 'runbook validate (library)', args: [bin, 'validate', '--root', repo], goal: 6 },
];

/** One fresh process; its wall time in ms. A failing command fails the bench. */
function once(args, extraArgv = []) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...extraArgv, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}:\n${r.stdout}${r.stderr}`);
  return { ms, stderr: r.stderr };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function measure() {
  for (const c of cases) once(c.args); // warm the file cache
  const times = cases.map(() => []);
  for (let r = 0; r < repeat; r++) cases.forEach((c, k) => times[k].push(once(c.args).ms));
  return times.map(median);
}

function trace() {
  const counter = join(here, 'module-count.js');
  for (const c of cases.slice(1)) {
    const { stderr } = once(c.args, ['--import', counter]);
    console.log(`\n${c.label}: ${stderr.trim()}`);
  }
}

function main() {
  const medians = measure();
  const base = medians[0];
  console.log(`\nCLI start-up (fresh process each, median of ${repeat}, interleaved with the baseline)`);
  cases.forEach((c, k) => {
    const ms = `${medians[k].toFixed(0)} ms`.padStart(8);
    if (!c.goal) return console.log(`${c.label.padEnd(38)}${ms}`);
    const ratio = medians[k] / base;
    const verdict = ratio <= c.goal ? 'GOAL MET' : 'GOAL MISSED';
    console.log(`${c.label.padEnd(38)}${ms}   ${ratio.toFixed(2)}×   goal ≤ ${c.goal}×   ${verdict}`);
  });
  if (process.argv.includes('--trace')) trace();
}

main();
