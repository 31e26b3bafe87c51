import { isMap, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { fixture, type MalformedCase } from './cases.js';

/** The valid set of test/fixtures/malformed/linked: a runbook with its Directory, Template, Checklist and a BackupPlan. */
export function linkedSet(): Record<string, string> {
  const names = ['directory.yaml', 'alert.md.hbs', 'checks.md', 'failover.yaml', 'backup.yaml'];
  return Object.fromEntries(names.map((n) => [n, fixture(`linked/${n}`)]));
}

/** Every JSON type, plus the two names a plain-object lookup finds on Object.prototype. */
const replacements: [string, unknown][] = [
  ['null', null],
  ['42', 42],
  ['"x"', 'x'],
  ['true', true],
  ['[]', []],
  ['{}', {}],
  ['["constructor"]', ['constructor']],
  ['"constructor"', 'constructor'],
  ['"__proto__"', '__proto__'],
];

type Key = string | number;

/** Paths of every node under the document's root, and of every mapping key. */
function nodePaths(
  node: unknown,
  path: Key[] = [],
  out: { values: Key[][]; keys: Key[][] } = { values: [], keys: [] },
) {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = (pair.key as { value?: unknown } | null)?.value;
      if (typeof key !== 'string') continue;
      out.values.push([...path, key]);
      out.keys.push([...path, key]);
      nodePaths(pair.value, [...path, key], out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      out.values.push([...path, i]);
      nodePaths(item, [...path, i], out);
    });
  }
  return out;
}

function renameKey(doc: Document, path: Key[], name: string): void {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const pair = isMap(parent as Node)
    ? (parent as { items: { key: unknown }[] }).items.find(
        (p) => (p.key as { value?: unknown })?.value === path[path.length - 1],
      )
    : undefined;
  if (pair) pair.key = doc.createNode(name);
}

/**
 * Mutation fuzz of one file of a valid set: every value replaced by every JSON type and by
 * prototype names, every key renamed to `constructor` and `__proto__`. Markdown and Handlebars
 * files are mutated in their front matter. Many mutants are still valid; none may crash.
 */
export function mutations(file: string, set: Record<string, string>): MalformedCase[] {
  const text = set[file];
  const fm = /^---\n([\s\S]*?\n)---\n/.exec(text);
  const yaml = fm ? fm[1] : text;
  const wrap = (y: string) => (fm ? `---\n${y}---\n${text.slice(fm[0].length)}` : y);
  const base = parseDocument(yaml);
  const others = Object.fromEntries(Object.entries(set).filter(([n]) => n !== file));
  const { values, keys } = nodePaths(base.contents);
  const out: MalformedCase[] = [];
  for (const path of values) {
    for (const [label, value] of replacements) {
      const doc = base.clone();
      doc.setIn(path, doc.createNode(value));
      out.push({ name: `${path.join('.')} = ${label}`, file, content: wrap(String(doc)), others });
    }
  }
  for (const path of keys) {
    for (const name of ['constructor', '__proto__']) {
      const doc = base.clone();
      renameKey(doc, path, name);
      out.push({ name: `${path.join('.')} renamed ${name}`, file, content: wrap(String(doc)), others });
    }
  }
  return out;
}
