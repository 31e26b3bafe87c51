import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Kind, LoadedDoc } from '../load/loaded-doc.js';
import { validatorFor } from './ajv.js';
import { schemaDiagnostics } from './schema-diagnostics.js';

export const kindSchemas: Record<Kind, string> = {
  Runbook: 'runbook.schema.json',
  BackupPlan: 'backup-plan.schema.json',
  Template: 'template.schema.json',
  Checklist: 'checklist.schema.json',
  Directory: 'directory.schema.json',
  RunRequest: 'run-request.schema.json',
};

/** Validates each document against its kind's schema; returns findings and the docs that passed. */
export function validateDocs(docs: readonly LoadedDoc[]): { diagnostics: Diagnostic[]; valid: Set<LoadedDoc> } {
  const diagnostics: Diagnostic[] = [];
  const valid = new Set<LoadedDoc>();
  for (const doc of docs) {
    const validate = validatorFor(kindSchemas[doc.kind]);
    if (validate(doc.data)) valid.add(doc);
    else diagnostics.push(...schemaDiagnostics(validate.errors ?? [], doc));
  }
  return { diagnostics, valid };
}
