import { Document, isScalar, Scalar, visit } from 'yaml';
import { generatedNotice } from '../emitter.js';
import { versionOf } from './pinned-actions.js';

/**
 * YAML for GitHub workflows, built as a `yaml` Document (never by concatenating strings), so
 * quoting is the library's job and a value can never break out of its place.
 */

/**
 * A value that came from a runbook (a description, a default, an option): always double-quoted, so
 * it reads as data in review whatever it contains (`"; curl x | sh #`, `$(id)`, `${{ … }}`).
 * Those fields are never evaluated by GitHub; quoting makes that visible.
 */
export function data(value: string): Scalar<string> {
  const node = new Scalar(value);
  node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

/** A single-quoted literal, for values YAML readers confuse easily (cron lines, globs). */
export function literal(value: string): Scalar<string> {
  const node = new Scalar(value);
  node.type = Scalar.QUOTE_SINGLE;
  return node;
}

/**
 * Serialises a workflow: the generated notice (and `header` lines) as the first comment, pinned
 * `uses:` values followed by their release (`# v4.2.2`).
 */
export function renderWorkflow(content: Record<string, unknown>, header: readonly string[] = []): string {
  return renderYaml(content, [generatedNotice, ...header]);
}

/**
 * `renderWorkflow` of `{ jobs }` without the `jobs:` line or any header: the same bytes as those
 * jobs have inside a whole workflow. Entries of a block mapping print one after another, each at
 * its own indentation, and nothing folds (`lineWidth: 0`) or is aliased, so a workflow of many
 * jobs can be printed in parts (on worker threads) and joined (resume-workflow.ts, tested there).
 */
export function renderJobsPart(jobs: Record<string, unknown>): string {
  const text = renderYaml({ jobs }, []);
  if (!text.startsWith('jobs:\n')) throw new Error('renderJobsPart: jobs did not print as a block mapping');
  return text.slice('jobs:\n'.length);
}

function renderYaml(content: Record<string, unknown>, comment: readonly string[]): string {
  // No anchors/aliases: a workflow reads top to bottom, even where two steps share a value.
  const doc = new Document(content, { aliasDuplicateObjects: false });
  // One comment line per header entry, whatever it contains (a title may span lines in YAML).
  if (comment.length) doc.commentBefore = comment.map((line) => ` ${line.replace(/\s*[\r\n]+\s*/g, ' ')}`).join('\n');
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.value !== 'uses' || !isScalar(pair.value)) return;
      const version = versionOf(String(pair.value.value));
      if (version) pair.value.comment = ` ${version}`;
    },
  });
  // lineWidth 0: never fold a long description or command onto several lines.
  return doc.toString({ lineWidth: 0 });
}

/** `RUNBOOK_INPUT_<NAME>`: the variable the CLI's `--inputs-from-env` reads for input `name`. */
export function inputEnvName(name: string): string {
  return `RUNBOOK_INPUT_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** `${{ expr }}`: written only into `env:`, `with:`, `if:` and `concurrency`, never into `run:`. */
export function expr(expression: string): string {
  return `\${{ ${expression} }}`;
}
