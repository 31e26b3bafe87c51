import { docName } from '../load/loaded-doc.js';
import { hasValidDate, runRequestName, runRequestsDir } from '../load/run-request.js';
import type { Rule } from './rule.js';

const yamlSuffix = '.yaml';

/**
 * `run-request-file`: run requests are found by path (the run-request workflow looks at what a push
 * changed under `runs/`), so the path is part of the contract: `runs/<yyyy-mm-dd>-<slug>.yaml`,
 * named after the file, and nothing else in `runs/`.
 */
export const runRequestFileRule: Rule = {
  id: 'run-request-file',
  codes: ['run-request-file'],
  docs: 'A RunRequest is `runs/<yyyy-mm-dd>-<slug>.yaml` with `metadata.name` equal to the base name; runs/ holds only RunRequests.',
  check(ctx) {
    for (const doc of ctx.project.docs) {
      const path = doc.file.path;
      const inRuns = path.startsWith(`${runRequestsDir}/`);
      if (doc.kind !== 'RunRequest') {
        if (inRuns) {
          ctx.report(
            doc,
            '/kind',
            'run-request-file',
            `${runRequestsDir}/ holds only RunRequest documents; this ${doc.kind} belongs under runbooks/`,
          );
        }
        continue;
      }
      const base = path.slice(path.lastIndexOf('/') + 1);
      const stem = base.endsWith(yamlSuffix) ? base.slice(0, -yamlSuffix.length) : undefined;
      const expected = `${runRequestsDir}/<yyyy-mm-dd>-<slug>${yamlSuffix}`;
      if (!inRuns || path.indexOf('/') !== runRequestsDir.length || stem === undefined || !runRequestName.test(stem)) {
        ctx.report(doc, '/kind', 'run-request-file', `a RunRequest must be a file ${expected}, not ${path}`, {
          hint: 'e.g. runs/2026-03-14-failover-us-west-2.yaml: the date the run is requested for, then a kebab-case slug',
        });
        continue;
      }
      if (!hasValidDate(stem)) {
        ctx.report(doc, '/kind', 'run-request-file', `${stem.slice(0, 10)} in ${base} is not a calendar date`);
        continue;
      }
      const name = docName(doc);
      if (name !== undefined && name !== stem && doc.map.has('/metadata/name')) {
        ctx.report(
          doc,
          '/metadata/name',
          'run-request-file',
          `metadata.name "${name}" must equal the file's base name "${stem}"`,
          {
            hint: `set metadata.name: ${stem} (or rename the file)`,
          },
        );
      }
    }
  },
};
