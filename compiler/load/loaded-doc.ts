import type { Range, SourceFile } from '../source/source-file.js';
import type { SourceMap } from './source-map.js';

// RunRequest: a request to run a runbook, under runs/ (see run-request.ts).
export const kinds = ['Runbook', 'BackupPlan', 'Template', 'Checklist', 'Directory', 'RunRequest'] as const;
export type Kind = (typeof kinds)[number];

export type DocFormat = 'yaml' | 'markdown' | 'handlebars';

/** A checklist item read from a Markdown task list. */
export interface ChecklistItem {
  readonly text: string;
  readonly checked: boolean;
  /** Step id from a trailing `<!-- check: id -->`. */
  readonly check?: string;
  readonly range: Range;
}

export interface ChecklistSection {
  readonly title: string;
  readonly items: ChecklistItem[];
  readonly range: Range;
}

/**
 * One document of one kind, as loaded: `data` is what the kind's JSON Schema validates (for a
 * Markdown runbook, the runbook built from the document; for a Template or Checklist, the front
 * matter) and `map` locates every value of it in `file`.
 */
export interface LoadedDoc {
  readonly file: SourceFile;
  readonly format: DocFormat;
  readonly kind: Kind;
  readonly data: Record<string, unknown>;
  readonly map: SourceMap;
  /** Template body or Checklist body (after the front matter). */
  readonly body?: { readonly text: string; readonly range: Range };
  /** Checklist sections, parsed from the body. */
  readonly sections?: ChecklistSection[];
}

export function docName(doc: LoadedDoc): string | undefined {
  const meta = doc.data.metadata as { name?: unknown } | undefined;
  return typeof meta?.name === 'string' ? meta.name : undefined;
}
