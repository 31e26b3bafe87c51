// `node --import ./bench/module-count.js …`: on exit, prints to stderr how many modules the process
// loaded, grouped by npm package (node_modules) or project folder, largest first. ESM loads go
// through a loader hook (Node 20 runs it off-thread, so it appends each URL to a temporary file the
// main thread reads at exit); CommonJS loads are read from require.cache.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'module-count-'));
const file = join(dir, 'urls');
register('./module-count-hooks.js', import.meta.url, { data: { file } });

function group(url) {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 14).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return 'node:*';
  const m = /\/dist\/([^/]+)\//.exec(url);
  return m ? `dist/${m[1]}` : 'other';
}

process.on('exit', () => {
  let urls = [];
  try {
    urls = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    // No trace file: nothing was loaded through the ESM hook.
  }
  const cjs = Object.keys(createRequire(import.meta.url).cache).map((p) => `file://${p}`);
  const all = new Set([...urls, ...cjs]);
  const counts = new Map();
  for (const u of all) counts.set(group(u), (counts.get(group(u)) ?? 0) + 1);
  const top = [...counts]
    .sort((a, b) => b[1] - a[1])
    // MODULE_COUNT_ALL=1 lists every group (tests assert a package is absent, however few its modules).
    .slice(0, process.env.MODULE_COUNT_ALL ? undefined : 25)
    .map(([k, n]) => `${k} ${n}`);
  process.stderr.write(`${all.size} modules: ${top.join(', ')}\n`);
  rmSync(dir, { recursive: true, force: true });
});
