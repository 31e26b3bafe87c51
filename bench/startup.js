// CLI start-up (issue 12, item 6): `runbook --help` and `runbook validate` of this repository's
// library, each timed as a fresh process against a bare `node -e 0` measured in the same run, on the
// same machine, interleaved so a load spike hits all three alike. Goals: --help ≤ 2.5×, validate ≤ 6×.
// Run by bench/run.js; alone: `node bench/startup.js [--repeat R]` (after `npm run build`).
//
// `--trace` lists the modules each command loads (counted by bench/module-count.js), to see what a
// slow start pulls in.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
  // The case a user meets: validate run again on an unchanged tree answers from its cache
  // (.runbook/cache/compile/validate.json), which the warm-up run below fills, as eslint --cache does.
  { label: 'runbook validate (library, warm cache)', args: [bin, 'validate', '--root', repo], goal: 6 },
  // For information (no goal): a validate that parses every file, as the first one after an edit does.
  { label: 'runbook validate --no-cache', args: [bin, 'validate', '--no-cache', '--root', repo] },
];

/**
 * CPU time (user + system, ms) of this process's waited-for children, from /proc/self/stat
 * (cutime and cstime, in clock ticks of 10 ms: proc(5)); undefined off Linux. On a shared machine
 * the wall-time ratio moves with the load while the CPU-time ratio barely does, so both are shown.
 */
function childrenCpuMs() {
  if (!existsSync('/proc/self/stat')) return undefined;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10; // fields 16 and 17, counted from state (3)
}

/** One fresh process; its wall and CPU time in ms. A failing command fails the bench. */
function once(args, extraArgv = []) {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...extraArgv, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = performance.now() - t0;
  const cpuMs = cpu0 === undefined ? undefined : childrenCpuMs() - cpu0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}:\n${r.stdout}${r.stderr}`);
  return { ms, cpuMs, stderr: r.stderr };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function measure() {
  for (const c of cases) once(c.args); // warm the file cache, and validate's cache
  const runs = cases.map(() => []);
  for (let r = 0; r < repeat; r++) cases.forEach((c, k) => runs[k].push(once(c.args)));
  const cpu = (k) => (runs[k][0].cpuMs === undefined ? undefined : median(runs[k].map((x) => x.cpuMs)));
  return runs.map((rs, k) => ({ wall: median(rs.map((x) => x.ms)), cpu: cpu(k) }));
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
  console.log(`${''.padEnd(38)}${'wall'.padStart(8)}${'ratio'.padStart(9)}${'CPU'.padStart(9)}${'ratio'.padStart(8)}`);
  cases.forEach((c, k) => {
    const { wall, cpu } = medians[k];
    const cpuText = cpu === undefined ? '' : `${cpu.toFixed(0)} ms`.padStart(9);
    const line = `${c.label.padEnd(38)}${`${wall.toFixed(0)} ms`.padStart(8)}`;
    if (k === 0) return console.log(`${line}${''.padStart(9)}${cpuText}`);
    const ratio = wall / base.wall;
    const cpuRatio = cpu === undefined || !base.cpu ? '' : `${(cpu / base.cpu).toFixed(2)}×`.padStart(8);
    const ratios = `${line}${`${ratio.toFixed(2)}×`.padStart(9)}${cpuText}${cpuRatio}`;
    if (!c.goal) return console.log(`${ratios}   (for information: no goal)`);
    const verdict = ratio <= c.goal ? 'GOAL MET' : 'GOAL MISSED';
    console.log(`${ratios}   goal ≤ ${c.goal}× (wall)   ${verdict}`);
  });
  if (process.argv.includes('--trace')) trace();
}

main();
