import { rtoBudgetRule } from './rto-budget.js';
import { checklistRefsRule } from './checklist-refs.js';
import { cronRule } from './cron.js';
import { directoryRefsRule } from './directory-refs.js';
import { irreversibleRule } from './irreversible.js';
import { notifyTemplateRule } from './notify-template.js';
import { runbookRefsRule } from './runbook-refs.js';
import { templateVariablesRule } from './template-variables.js';
import type { Rule } from './rule.js';

/** Every semantic rule, in the order they run. One rule per file. */
export const rules: readonly Rule[] = [
  rtoBudgetRule,
  templateVariablesRule,
  notifyTemplateRule,
  checklistRefsRule,
  runbookRefsRule,
  directoryRefsRule,
  cronRule,
  irreversibleRule,
];
