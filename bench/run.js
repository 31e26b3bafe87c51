// `npm run bench`: generates a synthetic corpus, checks it compiles cleanly, then measures in the
// same run (a) reading + YAML-parsing it with `yaml` alone and (b) validate + compile through the
// project's code, in-process and end to end through the CLI, and (d) the incremental compile:
// one runbook edited, then compile + emit through the compile cache (compiler/cache/). Each
// measurement runs in its own child process so the peak RSS figures are independent.
// Goals: (b)/(a) ≤ 1.5×; (d)/(b) ≤ 10 %.
//
// Options: --runbooks N (1000)  --steps M (50)  --repeat R (5)  --profile (CPU profile of (b))
// Exits non-zero only when something fails to run; a missed goal is printed, not fatal.
import { fork, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './corpus.js';
import { summariseProfile } from './profile-summary.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = dirname(here);
const corpus = join(here, '.corpus');
const goal = 1.5;
const incrementalGoal = 0.1;

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const runbooks = option('runbooks', 1000);
const steps = option('steps', 50);
const repeat = option('repeat', 5);
const profile = process.argv.includes('--profile');

/** Runs bench/measure.js in a fresh process; rejects with the child's stack on failure. */
function measure(mode, execArgv = []) {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'measure.js'), [mode, corpus, String(repeat)], {
      execArgv: ['--expose-gc', ...execArgv],
    });
    let message;
    child.on('message', (m) => (message = m));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (message?.error) reject(new Error(`${mode} failed:\n${message.error}`));
      else if (code !== 0 || !message) reject(new Error(`${mode} child exited with ${code}`));
      else resolve(message);
    });
  });
}

/** One end-to-end `runbook validate` run: wall time and the child's own peak RSS. */
function cliOnce() {
  const rssFile = join(corpus, 'cli-rss.json');
  const args = [
    '--import',
    join(here, 'rss-probe.js'),
    join(repo, 'bin', 'runbook.js'),
    'validate',
    '--no-cache', // the cost of validating the corpus, not of reading validate's cache of it
    '--root',
    corpus,
    '--format',
    'json',
  ];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      env: { ...process.env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) return reject(new Error(`runbook validate exited with ${code}:\n${out.slice(0, 2000)}`));
      resolve({ ms, peakRss: JSON.parse(readFileSync(rssFile, 'utf8')).maxRSS });
    });
  });
}

async function cli() {
  // No warm-up run: every CLI run is a fresh process anyway, and the corpus is in the file cache.
  const runs = [];
  for (let i = 0; i < repeat; i++) runs.push(await cliOnce());
  return { timesMs: runs.map((r) => r.ms), peakRss: Math.max(...runs.map((r) => r.peakRss)) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`.padStart(9);
const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`.padStart(9);

function row(label, m) {
  const peak = m.peakRss === undefined ? '' : mib(m.peakRss);
  return `${label.padEnd(38)}${sec(median(m.timesMs))}${sec(Math.min(...m.timesMs))}${sec(Math.max(...m.timesMs))}${peak}`;
}

async function cpuProfile() {
  const dir = join(corpus, 'profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await measure('compile', ['--cpu-prof', '--cpu-prof-dir', dir]);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  console.log(`\nCPU profile of (b) (warm-up + ${repeat} runs): ${join(dir, file)}\n`);
  console.log(summariseProfile(join(dir, file)));
}

async function main() {
  const t0 = performance.now();
  const { files, bytes } = generateCorpus(corpus, { runbooks, steps });
  console.log(
    `corpus: ${files} files (${runbooks} runbooks × ${steps} steps), ${(bytes / 2 ** 20).toFixed(1)} MiB, in ${sec(performance.now() - t0).trim()}`,
  );
  console.log(`each measurement: 1 warm-up + ${repeat} runs in a fresh process; median, min, max, peak RSS\n`);
  const compiled = await measure('compile'); // its warm-up run fails loudly if the corpus has errors
  console.log(
    `verified: 0 errors, ${compiled.info.diagnostics} diagnostics in all, ${compiled.info.graphs} graphs, ${compiled.info.files} files emitted`,
  );
  if (compiled.note) console.log(`note: ${compiled.note}`);
  const parsed = await measure('baseline');
  const incremental = await measure('incremental');
  // The CLI is measured last and its failure is reported after the table, so (a) and (b) still print.
  const endToEnd = await cli().catch((e) => ({ error: e }));
  const ratio = median(compiled.timesMs) / median(parsed.timesMs);
  console.log(
    `\n${'measurement'.padEnd(38)}${'median'.padStart(9)}${'min'.padStart(9)}${'max'.padStart(9)}${'peak RSS'.padStart(9)}`,
  );
  console.log(row('(a) read + yaml parseDocument', parsed));
  console.log(row('(b) compileTree + emit (in-process)', compiled));
  for (const [stage, timesMs] of Object.entries(compiled.parts)) console.log(row(`      ${stage}`, { timesMs }));
  console.log(row('(d) one runbook edited, compile + emit', incremental));
  // Only the stages of (d) that take 1 % of it or more (most emitters reuse their files in no time).
  for (const [stage, timesMs] of Object.entries(incremental.parts))
    if (median(timesMs) >= median(incremental.timesMs) / 100) console.log(row(`      ${stage}`, { timesMs }));
  if (!endToEnd.error) console.log(row('(c) runbook validate (CLI, e2e)', endToEnd));
  console.log(
    `\nratio (b)/(a) = ${ratio.toFixed(2)}×   goal ≤ ${goal}×   ${ratio <= goal ? 'GOAL MET' : 'GOAL MISSED'}`,
  );
  console.log(
    `  of which compileTree alone (validate) = ${(median(compiled.parts.compileTree) / median(parsed.timesMs)).toFixed(2)}×`,
  );
  const share = median(incremental.timesMs) / median(compiled.timesMs);
  console.log(
    `ratio (d)/(b) = ${(share * 100).toFixed(1)} %   goal ≤ ${incrementalGoal * 100} %   ${share <= incrementalGoal ? 'GOAL MET' : 'GOAL MISSED'}`,
  );
  if (!endToEnd.error)
    console.log(
      `ratio (c)/(a) = ${(median(endToEnd.timesMs) / median(parsed.timesMs)).toFixed(2)}× (includes process start-up and output)`,
    );
  if (profile) await cpuProfile();
  else if (ratio > goal) console.log('run `npm run bench -- --profile` to see where (b) spends its time');
  if (endToEnd.error) throw endToEnd.error;
}

main().catch((e) => {
  console.error(`bench failed: ${e.stack ?? e}`);
  process.exitCode = 1;
});

// Then the executor benchmark (bench/executor.js), in its own process, with the same options.
process.once('beforeExit', () => {
  fork(join(here, 'executor.js'), process.argv.slice(2), { execArgv: ['--expose-gc'] }).on('exit', (code) => {
    if (code) process.exitCode = code;
    // Then hostile input (bench/hostile.js): alias and nesting bombs against a yaml-parse baseline.
    fork(join(here, 'hostile.js'), []).on('exit', (hostileCode) => {
      if (hostileCode) process.exitCode = hostileCode;
      // Then the journal (bench/journal.js): audit verify throughput and resume of a killed run.
      fork(join(here, 'journal.js'), process.argv.slice(2)).on('exit', (journalCode) => {
        if (journalCode) process.exitCode = journalCode;
        // Then PostgreSQL as the journal of record (bench/journal-pg.js) against the file journal.
        fork(join(here, 'journal-pg.js'), process.argv.slice(2)).on('exit', (pgCode) => {
          if (pgCode) process.exitCode = pgCode;
          // Then CLI start-up (bench/startup.js): --help and validate of the library against `node -e 0`.
          fork(join(here, 'startup.js'), process.argv.slice(2)).on('exit', (startupCode) => {
            if (startupCode) process.exitCode = startupCode;
          });
        });
      });
    });
  });
});
