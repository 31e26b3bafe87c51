import type { DocFormat } from './loaded-doc.js';

/**
 * Prometheus rule files (`*.rules.yml`, `*.rules.yaml`) may live next to the runbooks they page
 * for (runbooks/monitoring/): they are YAML without `apiVersion: runbook/v1`, read by Prometheus
 * and `promtool`, not by this compiler, so the loader skips them instead of reporting `unknown-kind`.
 */
const prometheusRules = /\.rules\.ya?ml$/i;

/** How a file under runbooks/ is read, by its extension; undefined for files that hold no document. */
export function formatOf(path: string): DocFormat | undefined {
  if (prometheusRules.test(path)) return undefined;
  if (/\.ya?ml$/i.test(path)) return 'yaml';
  if (/\.hbs$/i.test(path)) return 'handlebars';
  if (/\.(md|markdown)$/i.test(path)) return 'markdown';
  return undefined;
}
