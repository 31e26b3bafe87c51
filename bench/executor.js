// Executor benchmark (`node bench/executor.js` after `npm run build`; also run by `npm run bench`).
// Measures in the same run:
//  (a) scheduler + audit overhead: 10,000 no-op steps (a DAG 100 wide, 100 layers) at
//      concurrency 100, with the real durable file audit log (every record fdatasync'ed, group
//      commit) against a no-op event sink; goal ≤ 1 ms of wall time per step with durability on.
//  (b) parallelism: `wait` steps of 20–200 ms with real timers and the durable audit log, a
//      critical path of 2 s and ~10 s of work, at concurrency 100 against concurrency 1;
//      goal wall ÷ critical path ≤ 1.05.
// Options: --repeat R (5 for (a), min(R, 3) for (b))  --profile (CPU profile of the durable run)
// Exits non-zero only when the benchmark cannot run; a missed goal prints GOAL MISSED and a profile.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { layeredGraph, waitGraph } from './executor-graphs.js';
import { runOnce } from './executor-measure.js';
import { summariseProfile } from './profile-summary.js';

const here = dirname(fileURLToPath(import.meta.url));
const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const repeat = option('repeat', 5);
const profile = process.argv.includes('--profile');
const goalPerStepMs = 1;
const goalCriticalRatio = 1.05;
const concurrency = 100;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const verdict = (ok) => (ok ? 'GOAL MET' : 'GOAL MISSED');

/** Runs each scenario `times` times, interleaved so drift (page cache, CPU clock) hits all alike. */
async function measure(scenarios, times) {
  const runs = Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]));
  for (const [, s] of Object.entries(scenarios)) await runOnce(s); // warm-up: JIT, file cache
  for (let i = 0; i < times; i++) {
    for (const [k, s] of Object.entries(scenarios)) {
      globalThis.gc?.();
      runs[k].push(await runOnce(s));
    }
  }
  return Object.fromEntries(
    Object.entries(runs).map(([k, rs]) => {
      const times = rs.map((r) => r.ms);
      return [
        k,
        {
          median: median(times),
          min: Math.min(...times),
          max: Math.max(...times),
          records: rs[0].records,
          syncs: median(rs.map((r) => r.syncs ?? 0)),
        },
      ];
    }),
  );
}

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

async function overhead() {
  const { graph, steps, edges } = layeredGraph({ width: 100, layers: 100 });
  console.log(
    `(a) ${int(steps)} no-op steps: DAG 100 wide × 100 layers, ${int(edges)} edges, ${graph.phases.length} phases, concurrency ${concurrency}`,
  );
  const m = await measure(
    {
      noop: { graph, kind: 'noop', concurrency },
      memory: { graph, kind: 'memory', concurrency },
      file: { graph, kind: 'file', concurrency },
    },
    repeat,
  );
  const labels = {
    noop: 'no-op event sink (baseline)',
    memory: 'audit log → in-memory sink',
    file: 'audit log → durable file sink',
  };
  console.log(
    table(
      ['scenario', 'median', 'min', 'max', 'steps/s', 'per step', 'records', 'fsyncs'],
      Object.entries(m).map(([k, r]) => [
        labels[k],
        ms(r.median),
        ms(r.min),
        ms(r.max),
        int(steps / (r.median / 1000)),
        ms(r.median / steps),
        r.records ? int(r.records) : '—',
        r.syncs ? int(r.syncs) : '—',
      ]),
    ),
  );
  const perStep = m.file.median / steps;
  console.log(
    `ratio durable / no-op = ${(m.file.median / m.noop.median).toFixed(2)}×   (in-memory audit log / no-op = ${(m.memory.median / m.noop.median).toFixed(2)}×)`,
  );
  console.log(
    `fsyncs: ${int(m.file.syncs)} for ${int(m.file.records)} records (${(m.file.records / m.file.syncs).toFixed(1)} records per fdatasync)`,
  );
  console.log(
    `overhead per step with durability on = ${ms(perStep)}   goal ≤ ${goalPerStepMs} ms   ${verdict(perStep <= goalPerStepMs)}`,
  );
  return perStep <= goalPerStepMs;
}

async function parallelism() {
  const { graph, durations, criticalPathMs, totalWorkMs } = waitGraph();
  const times = Math.min(repeat, 3);
  console.log(
    `(b) ${graph.nodes.length} wait steps of 20–200 ms (real timers), critical path ${ms(criticalPathMs)}, total work ${ms(totalWorkMs)}, durable file audit log`,
  );
  const m = await measure(
    {
      parallel: { graph, kind: 'file', concurrency, durations },
      sequential: { graph, kind: 'file', concurrency: 1, durations },
    },
    times,
  );
  console.log(
    table(
      ['scenario', 'median', 'min', 'max', '÷ critical path', '÷ total work', 'fsyncs'],
      [
        [`concurrency ${concurrency}`, m.parallel],
        ['concurrency 1 (sequential baseline)', m.sequential],
      ].map(([label, r]) => [
        label,
        ms(r.median),
        ms(r.min),
        ms(r.max),
        (r.median / criticalPathMs).toFixed(3),
        (r.median / totalWorkMs).toFixed(3),
        int(r.syncs),
      ]),
    ),
  );
  const ratio = m.parallel.median / criticalPathMs;
  console.log(
    `speed-up over sequential = ${(m.sequential.median / m.parallel.median).toFixed(2)}× (total work ÷ critical path = ${(totalWorkMs / criticalPathMs).toFixed(2)}×)`,
  );
  console.log(
    `wall ÷ critical path = ${ratio.toFixed(3)} (+${ms(m.parallel.median - criticalPathMs)})   goal ≤ ${goalCriticalRatio}   ${verdict(ratio <= goalCriticalRatio)}`,
  );
  return ratio <= goalCriticalRatio;
}

/** CPU profile of the durable 10,000-step run in a fresh process, summarised. */
function cpuProfile() {
  const dir = join(here, '.corpus', 'executor-profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--cpu-prof', '--cpu-prof-dir', dir, join(here, 'executor-measure.js'), 'file', '3'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`profiling run exited with ${code}`));
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      console.log(`\nCPU profile of the durable 10,000-step run (warm-up + 3 runs): ${join(dir, file)}\n`);
      console.log(summariseProfile(join(dir, file)));
      resolve();
    });
  });
}

export async function main() {
  console.log(
    `executor benchmark · node ${process.version} · ${availableParallelism()} CPUs · median of ${repeat} runs after a warm-up, (b) of ${Math.min(repeat, 3)}\n`,
  );
  const a = await overhead();
  console.log('');
  const b = await parallelism();
  if (profile || !a || !b) await cpuProfile();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`executor bench failed: ${e.stack ?? e}`);
    process.exitCode = 1;
  });
}
