// Summarises a V8 .cpuprofile (written by `node --cpu-prof`): the functions and files with the
// most self time, which is where optimisation pays, and the project's own functions by inclusive
// time, which says which of our calls leads there. Used by `npm run bench -- --profile`.
import { readFileSync } from 'node:fs';

/**
 * Top functions and files by self time, and the project's functions by inclusive time.
 * @param {string} path a .cpuprofile file
 * @param {number} [top]
 * @returns {string} a printable report
 */
export function summariseProfile(path, top = 25) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map();
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time since the previous sample: the time attributed to this one.
    const dt = profile.timeDeltas[i] ?? 0;
    hits.set(id, (hits.get(id) ?? 0) + dt);
  });
  const total = [...hits.values()].reduce((a, b) => a + b, 0);
  const fns = new Map();
  const files = new Map();
  for (const [id, us] of hits) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const file = shorten(url) || '(native/vm)';
    const fn = `${functionName || '(anonymous)'}  ${file}:${lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
  }
  // Inclusive time of the project's own functions (dist/): which of our calls the time is under.
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map();
  for (const [id, us] of hits) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at).callFrame;
      const file = shorten(url);
      if (!file.startsWith('dist/')) continue;
      const fn = `${functionName || '(anonymous)'}  ${file}:${lineNumber + 1}`;
      if (!seen.has(fn)) inclusive.set(fn, (inclusive.get(fn) ?? 0) + us);
      seen.add(fn);
    }
  }
  const table = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([k, us]) =>
          `  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`,
      )
      .join('\n');
  return (
    `self time by function (top ${top}):\n${table(fns, top)}\n\nself time by file (top 15):\n${table(files, 15)}\n\n` +
    `inclusive time of the project's functions (top ${top}):\n${table(inclusive, top)}\n`
  );
}

function shorten(url) {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  return nm >= 0 ? path.slice(nm + 1) : path.replace(/^.*?\/dist\//, 'dist/');
}
