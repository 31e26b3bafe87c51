import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { RunRefused } from '../../core/errors.js';
import { parseAuditText, readAuditFile } from '../file-sink.js';
import { verifyAudit, verifyAuditText } from '../verify.js';
import { inPeriod, type Period, type RunSource, type SourcedRun } from './run-source.js';
import { zipJournals } from './zip-journals.js';

/** The file journal's name: `.runbook/runs/<run-id>/audit.jsonl` (run-journal.ts). */
export const JOURNAL_FILE = 'audit.jsonl';

/**
 * Runs from a directory of downloaded artifacts. Generated workflows upload `.runbook/runs/` as the
 * artifact `audit-<run>-<attempt>` (compiler/emit/workflows/job-steps.ts), so the artifact holds
 * `<run-id>/audit.jsonl`; `actions/download-artifact` (or `gh run download`) without a name puts
 * each artifact in a folder of its name: `DIR/audit-…/<run-id>/audit.jsonl`. Any depth is read, so
 * a copied `.runbook/runs` works too. An artifact downloaded as a zip (the Actions page, the REST
 * API) is read in place: each `audit.jsonl` inside it is a journal (zip-journals.ts).
 */
export async function dirRunSource(dir: string): Promise<RunSource> {
  const top = await stat(dir).catch(() => undefined);
  if (!top?.isDirectory())
    throw new RunRefused(
      `--from ${dir}: no such directory`,
      'download the audit artifacts first (gh run download RUN_ID --dir DIR, or actions/download-artifact)',
    );
  const found = await findJournals(dir);
  if (found.journals.length === 0 && found.zips.length === 0)
    throw new RunRefused(
      `--from ${dir}: no ${JOURNAL_FILE} found`,
      'each audit artifact holds <run-id>/audit.jsonl; point --from at the folder holding the downloaded artifacts',
    );
  return {
    label: `artifacts in ${dir}`,
    runs: async (period: Period) => {
      const files = await Promise.all(found.journals.map((path) => readJournal(dir, path)));
      const zipped = (await Promise.all(found.zips.map((zip) => readZip(dir, zip)))).flat();
      return [...files, ...zipped].filter((r) => r.records.length === 0 || inPeriod(r.records[0].ts, period));
    },
  };
}

async function readZip(dir: string, zip: string): Promise<SourcedRun[]> {
  return (await zipJournals(zip, JOURNAL_FILE)).map(({ name, text }) => {
    const { records } = parseAuditText(text);
    return {
      runId: records[0]?.runId ?? basename(dirname(name)),
      where: `${relative(dir, zip) || zip}:${name}`,
      records,
      verify: async (options) => verifyAuditText(text, options),
    };
  });
}

async function readJournal(dir: string, path: string): Promise<SourcedRun> {
  const { records } = await readAuditFile(path);
  return {
    runId: records[0]?.runId ?? basename(dirname(path)),
    where: relative(dir, path) || path,
    records,
    verify: (options) => verifyAudit(path, options),
  };
}

/** Every audit.jsonl under `dir`, sorted by path, and the zips seen on the way. */
async function findJournals(dir: string): Promise<{ journals: string[]; zips: string[] }> {
  const journals: string[] = [];
  const zips: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile() && e.name === JOURNAL_FILE) journals.push(path);
      else if (e.isFile() && e.name.endsWith('.zip')) zips.push(path);
    }
  };
  await walk(dir);
  return { journals: journals.sort(), zips };
}
