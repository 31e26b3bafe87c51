// One measurement, run in its own child process (forked by bench/run.js with --expose-gc) so
// its peak RSS belongs to it alone. Usage: node --expose-gc bench/measure.js <mode> <root> <repeat>
// Modes: `baseline` (read + yaml parseDocument per file), `compile` (compileTree + every emitter),
// `incremental` (one runbook edited, then compile + emit through the compile cache).
// Sends one message { mode, timesMs, parts, peakRss, rssAfter, info, note?, error? } to the parent;
// `parts` holds the times of each stage (compileTree, each emitter) of the `compile` runs.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDocument } from 'yaml';

const [mode, root, repeatArg] = process.argv.slice(2);
const repeat = Number(repeatArg ?? 5);

/** Same file discovery as the compiler: sorted, dot-entries skipped, runbook extensions only. */
function listFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const abs = join(dir, name);
    if (/\.(ya?ml|hbs|md|markdown)$/i.test(name)) out.push(abs);
    else out.push(...listFiles(abs));
  }
  return out;
}

/** The baseline: the same I/O as readTree, then the YAML parse a loader cannot avoid. */
function baseline() {
  let docs = 0;
  for (const path of listFiles(join(root, 'runbooks'))) {
    const text = readFileSync(path, 'utf8');
    // Markdown and Handlebars files hold their YAML in front matter; parse just that part.
    const yaml = /\.ya?ml$/i.test(path) ? text : (/^---\r?\n([\s\S]*?)\r?\n---/.exec(text)?.[1] ?? '');
    const doc = parseDocument(yaml);
    if (doc.errors.length) throw new Error(`${relative(root, path)}: ${doc.errors[0].message}`);
    docs++;
  }
  return { docs };
}

/** The emitters of dist; falls back to the graph emitter when another one is not built yet. */
async function loadEmitters() {
  try {
    return { emitters: (await import('../dist/compiler/emit/index.js')).emitters };
  } catch (e) {
    const { graphJsonEmitter } = await import('../dist/compiler/emit/graph-json.js');
    return {
      emitters: [graphJsonEmitter],
      note: `emit/index.js did not load (${e.code ?? e.message}); emitted graphs only`,
    };
  }
}

/**
 * The incremental compile (compiler/cache/): a first compile fills a fresh cache; each run then
 * changes one runbook (a step title, different each time) and compiles + emits through the cache.
 */
async function incremental() {
  const { compileCached } = await import('../dist/compiler/cache/incremental.js');
  const { defaultPaths } = await import('../dist/compiler/compile.js');
  const { emitters } = await import('../dist/compiler/emit/index.js');
  const cacheDir = join(root, '.cache-bench');
  rmSync(cacheDir, { recursive: true, force: true });
  const file = join(root, 'runbooks', 'procedures', 'bench-runbook-0001.yaml');
  const original = readFileSync(file, 'utf8');
  let edits = 0;
  // Each stage is timed too (as in `compile`), so the bench says where (d) spends its time.
  const compile = (parts = {}) => {
    let t = performance.now();
    const lap = (stage) => {
      const now = performance.now();
      (parts[stage] ??= []).push(now - t);
      t = now;
    };
    const compiled = compileCached(root, defaultPaths, {}, cacheDir);
    lap('compileCached');
    for (const e of emitters) {
      e.emit(compiled.result);
      lap(`emit ${e.id}`);
    }
    compiled.save();
    lap('save');
    return compiled;
  };
  compile(); // fills the cache (the warm-up run below is then already incremental)
  const run = (parts) => {
    writeFileSync(file, original.replace('title: Step 1 of phase 1', `title: Step 1 of phase 1, edit ${++edits}`));
    const compiled = compile(parts);
    if (compiled.mode !== 'incremental') throw new Error(`compile was not incremental: ${compiled.reason}`);
    const errors = compiled.result.diagnostics.filter((d) => d.severity === 'error');
    return { errors, graphs: compiled.result.graphs.length, files: 0, diagnostics: compiled.result.diagnostics.length };
  };
  const restore = () => writeFileSync(file, original);
  return { run, restore };
}

async function setup() {
  if (mode === 'baseline') return { run: baseline };
  if (mode === 'incremental') return incremental();
  if (mode !== 'compile') throw new Error(`unknown mode ${mode}`);
  const { compileTree } = await import('../dist/compiler/compile.js');
  const { emitters, note } = await loadEmitters();
  // Each stage is timed too, so a missed goal says whether validation or an emitter is slow.
  const run = (parts = {}) => {
    let t = performance.now();
    const result = compileTree(root);
    (parts.compileTree ??= []).push(performance.now() - t);
    let files = 0;
    for (const emitter of emitters) {
      t = performance.now();
      files += emitter.emit(result).length;
      (parts[`emit ${emitter.id}`] ??= []).push(performance.now() - t);
    }
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    return { errors, graphs: result.graphs.length, files, diagnostics: result.diagnostics.length };
  };
  return { run, note };
}

async function main() {
  const { run, note, restore } = await setup();
  // The warm-up run also verifies the corpus: a benchmark of a failing compile measures nothing.
  const first = run();
  if (first.errors?.length) {
    const sample = first.errors
      .slice(0, 5)
      .map((d) => `  ${d.file} [${d.code}] ${d.message}`)
      .join('\n');
    throw new Error(`corpus does not compile: ${first.errors.length} errors, e.g.\n${sample}`);
  }
  const timesMs = [];
  const parts = {};
  let rssAfter = 0;
  for (let i = 0; i < repeat; i++) {
    globalThis.gc?.(); // start each repetition from a collected heap so runs are independent
    const t0 = performance.now();
    run(parts);
    timesMs.push(performance.now() - t0);
    rssAfter = Math.max(rssAfter, process.memoryUsage().rss);
  }
  // maxRSS is the kernel's high-water mark in KiB: the true peak, including inside a run.
  restore?.();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  process.send({ mode, timesMs, parts, peakRss, rssAfter, note, info: first });
}

main().catch((e) => {
  process.send({ mode, error: e.stack ?? String(e) });
  process.exitCode = 1;
});
