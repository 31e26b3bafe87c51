// Preloaded with `node --import ./bench/rss-probe.js bin/runbook.js …` so the end-to-end CLI run
// reports its own peak RSS (like /usr/bin/time -v) without changing the CLI. The parent passes
// a file path in BENCH_RSS_FILE; stdout stays the CLI's own.
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    writeFileSync(out, JSON.stringify({ maxRSS: process.resourceUsage().maxRSS * 1024 }));
  });
}
