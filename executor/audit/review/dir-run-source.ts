import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { RunRefused } from '../../core/errors.js';
import { readAuditFile } from '../file-sink.js';
import { verifyAudit } from '../verify.js';
import { inPeriod, type Period, type RunSource, type SourcedRun } from './run-source.js';

/** The file journal's name: `.runbook/runs/<run-id>/audit.jsonl` (run-journal.ts). */
export const JOURNAL_FILE = 'audit.jsonl';

/**
 * Runs from a directory of downloaded artifacts. Generated workflows upload `.runbook/runs/` as the
 * artifact `audit-<run>-<attempt>` (compiler/emit/workflows/job-steps.ts), so the artifact holds
 * `<run-id>/audit.jsonl`; `actions/download-artifact` (or `gh run download`) without a name puts
 * each artifact in a folder of its name: `DIR/audit-…/<run-id>/audit.jsonl`. Any depth is read, so
 * a copied `.runbook/runs` works too. Zips (an artifact downloaded from the web page) are not
 * opened: they must be unzipped first, and the source says so when it finds one.
 */
export async function dirRunSource(dir: string): Promise<RunSource> {
  const top = await stat(dir).catch(() => undefined);
  if (!top?.isDirectory())
    throw new RunRefused(
      `--from ${dir}: no such directory`,
      'download the audit artifacts first (gh run download RUN_ID --dir DIR, or actions/download-artifact)',
    );
  const found = await findJournals(dir);
  if (found.journals.length === 0)
    throw new RunRefused(
      `--from ${dir}: no ${JOURNAL_FILE} found${found.zips.length ? ` (${found.zips.length} zip file(s): unzip them first)` : ''}`,
      'each audit artifact holds <run-id>/audit.jsonl; point --from at the folder holding the downloaded artifacts',
    );
  return {
    label: `artifacts in ${dir}`,
    runs: async (period: Period) => {
      const all = await Promise.all(found.journals.map((path) => readJournal(dir, path)));
      return all.filter((r) => r.records.length === 0 || inPeriod(r.records[0].ts, period));
    },
  };
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
