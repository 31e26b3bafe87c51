// Hostile input (issue 9): the 80,000-alias file that once took 288 s to validate, timed against a
// baseline measured in the same run on the same machine: parsing that text with `yaml` alone
// (Parser + Composer, no alias expansion). A quadratic walk shows up as a ratio in the hundreds;
// goal ≤ 10×. Also the nested-quote Markdown file (100,000 `>`), against parsing the same
// length of flat prose with the YAML baseline's cost unit. Run by bench/run.js after the others.
import { performance } from 'node:perf_hooks';
import { Composer, Parser } from 'yaml';

const { compileFiles } = await import('../dist/compiler/compile.js');
const goal = 10;
const repeat = 5;

const header = 'apiVersion: runbook/v1\nkind: Runbook\nmetadata: { name: bomb, owner: "@acme/sre" }\n';
const aliases = `${header}x-a: &a y\nx-list:\n${'- *a\n'.repeat(80_000)}`;
const quotes = `---\n${header}---\n# T\n\n## P\n\n### S\n\n${'>'.repeat(100_000)} x\n`;

function median(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn) {
  fn(); // warm-up
  const times = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const parseOnly = (text) => () => [...new Composer({ uniqueKeys: false }).compose(new Parser().parse(text))];
const compile = (path, text) => () => compileFiles([{ path, text }]);

const baseline = time(parseOnly(aliases));
const rows = [
  ['80,000 aliases (320 KB), validate', time(compile('runbooks/bomb.yaml', aliases))],
  ['100,000 nested quotes (Markdown), validate', time(compile('runbooks/quotes.md', quotes))],
];
console.log(
  `\nhostile input: ${repeat} runs each, median; baseline (a) = yaml parse of the alias file: ${baseline.toFixed(0)} ms`,
);
let met = true;
for (const [label, ms] of rows) {
  const ratio = ms / baseline;
  met &&= ratio <= goal;
  console.log(
    `${label.padEnd(46)}${`${ms.toFixed(0)} ms`.padStart(9)}   ratio ${ratio.toFixed(2)}×   goal ≤ ${goal}×   ${ratio <= goal ? 'GOAL MET' : 'GOAL MISSED'}`,
  );
}
if (!met)
  console.log('a missed goal here means a stage is no longer linear in the input: profile it with node --cpu-prof');
