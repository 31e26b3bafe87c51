import type { DocFormat } from './loaded-doc.js';

/** How a file under runbooks/ is read, by its extension; undefined for files that hold no document. */
export function formatOf(path: string): DocFormat | undefined {
  if (/\.ya?ml$/i.test(path)) return 'yaml';
  if (/\.hbs$/i.test(path)) return 'handlebars';
  if (/\.(md|markdown)$/i.test(path)) return 'markdown';
  return undefined;
}
