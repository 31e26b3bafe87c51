import { backupPlanRule } from './backup-plan.js';
import { templateBodySyntaxRule } from './template-body-syntax.js';
import { secretExposureRule } from './secret-exposure.js';
import { rtoBudgetRule } from './rto-budget.js';
import { checklistRefsRule } from './checklist-refs.js';
import { cronRule } from './cron.js';
import { scheduledInputsRule } from './scheduled-inputs.js';
import { directoryRefsRule } from './directory-refs.js';
import { irreversibleRule } from './irreversible.js';
import { approversRule } from './approvers.js';
import { signingKeysRule } from './signing-keys.js';
import { notifyTemplateRule } from './notify-template.js';
import { updatesRule } from './updates.js';
import { runbookRefsRule } from './runbook-refs.js';
import { templateVariablesRule } from './template-variables.js';
import { stepActionRule } from './step-action.js';
import { unknownActionRule } from './unknown-action.js';
import { withSchemaRule } from './with-schema.js';
import { duplicateIdsRule } from './duplicate-ids.js';
import { needsRule } from './needs.js';
import { cyclesRule } from './cycles.js';
import { templateReferencesRule } from './template-references.js';
import { templateInRunRule } from './template-in-run.js';
import { templateInSqlRule } from './template-in-sql.js';
import { inputsRule } from './inputs.js';
import { timeoutsRule } from './timeouts.js';
import { credentialsRule } from './credentials.js';
import { runRequestFileRule } from './run-request-file.js';
import { runRequestTargetRule } from './run-request-target.js';
import { workflowNamesRule } from './workflow-names.js';
import { drillFreshnessRule } from './drill-freshness.js';
import type { Rule } from './rule.js';

/** Every semantic rule, in the order they run. One rule per file. */
export const rules: readonly Rule[] = [
  rtoBudgetRule,
  secretExposureRule,
  templateVariablesRule,
  templateBodySyntaxRule,
  notifyTemplateRule,
  updatesRule,
  checklistRefsRule,
  runbookRefsRule,
  directoryRefsRule,
  cronRule,
  scheduledInputsRule,
  backupPlanRule,
  irreversibleRule,
  approversRule,
  signingKeysRule,
  stepActionRule,
  unknownActionRule,
  withSchemaRule,
  duplicateIdsRule,
  needsRule,
  cyclesRule,
  templateReferencesRule,
  templateInRunRule,
  templateInSqlRule,
  inputsRule,
  timeoutsRule,
  credentialsRule,
  runRequestFileRule,
  runRequestTargetRule,
  workflowNamesRule,
  drillFreshnessRule, // drills: after the rules whose errors keep a runbook from building
];
