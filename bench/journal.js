// Journal benchmark (`node bench/journal.js` after `npm run build`; also run by `npm run bench`):
//  (a) audit verify throughput: verifyAudit (read, parse, re-hash, chain checks) of a journal of
//      200,000 records; goal ≥ 500,000 records/s. verify reads a large file with one thread per
//      idle core (executor/audit/verify-parts.ts): the path it chose is printed, and each path is
//      also timed on its own (one thread, 2 threads), CPU time (all threads) beside wall time.
//  (b) resume of a killed 10,000-step run (the bench's layered graph, 5,000 steps done and 100 in
//      doubt): prepareResume (read, verify, replay, load the graph) through the scheduler to the
//      first step:start of a step the journal has not done; goal ≤ 300 ms. Process start-up is not
//      included (the CLI's start-up ratios measure it).
// Each run is a fresh process (bench/journal-measure.js); median, min and max of --repeat R (5).
import { fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '.journal');
const repeatAt = process.argv.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Number(process.argv[repeatAt + 1]) : 5;
const goalRecordsPerSecond = 500_000;
const goalResumeMs = 300;

function run(args) {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'journal-measure.js'), args);
    let message;
    child.on('message', (m) => (message = m));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (message?.error) reject(new Error(`${args[0]} failed:\n${message.error}`));
      else if (!message) reject(new Error(`${args[0]} child exited with ${code}`));
      else resolve(message);
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const verdict = (ok) => (ok ? 'GOAL MET' : 'GOAL MISSED');
const int = (n) => Math.round(n).toLocaleString('en-US');

async function main() {
  rmSync(dir, { recursive: true, force: true });
  await run(['prepare', dir]);
  const verifies = [];
  const resumes = [];
  const floors = [];
  const oneThread = [];
  const twoThreads = [];
  for (let i = 0; i < repeat; i++) {
    verifies.push(await run(['verify', dir]));
    oneThread.push(await run(['verify', dir, '1']));
    twoThreads.push(await run(['verify', dir, '2']));
    floors.push(await run(['floor', dir]));
    resumes.push(await run(['resume', dir, join(dir, 'copy')]));
  }
  const records = verifies[0].records;
  const verifyMs = median(verifies.map((v) => v.ms));
  const rate = records / (verifyMs / 1000);
  const resumeMs = median(resumes.map((r) => r.ms));
  const range = (runs) =>
    `min ${int(Math.min(...runs.map((r) => r.ms)))} ms, max ${int(Math.max(...runs.map((r) => r.ms)))} ms, CPU ${int(median(runs.map((r) => r.cpuMs)))} ms`;
  console.log(`\njournal benchmark: ${repeat} runs each, a fresh process per run`);
  console.log(
    `(a) audit verify of ${int(records)} records: ${int(verifyMs)} ms (${range(verifies)}) = ${int(rate)} records/s   goal ≥ ${int(goalRecordsPerSecond)}/s   ${verdict(rate >= goalRecordsPerSecond)}`,
  );
  const paths = [...new Set(verifies.map((v) => v.threads))].map((n) => (n === 1 ? 'one thread' : `${n} threads`));
  const loads = verifies.map((v) => v.load.toFixed(1)).join(', ');
  console.log(`    path: ${paths.join(' / ')} (verify's own choice; load average at each run: ${loads})`);
  for (const [name, runs] of [
    ['one thread', oneThread],
    ['2 threads ', twoThreads],
  ])
    console.log(
      `    forced ${name}: ${int(median(runs.map((r) => r.ms)))} ms (${range(runs)}) = ${int(records / (median(runs.map((r) => r.ms)) / 1000))} records/s`,
    );
  const floorMs = median(floors.map((f) => f.ms));
  console.log(
    `    floor on this machine (read + sha256 of each line${floors[0].oneShot ? ', crypto.hash' : ', createHash'}, nothing else): ${int(floorMs)} ms (${range(floors)}) = ${int(records / (floorMs / 1000))} records/s`,
  );
  console.log(
    `(b) resume of a killed 10,000-step run (${int(resumes[0].restored)} steps done, ${resumes[0].inDoubt} in doubt) to its first new step: ${int(resumeMs)} ms (${range(resumes)})   goal ≤ ${goalResumeMs} ms   ${verdict(resumeMs <= goalResumeMs)}`,
  );
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(`journal bench failed: ${e.stack ?? e}`);
  process.exitCode = 1;
});
