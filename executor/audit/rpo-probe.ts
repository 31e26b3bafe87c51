import type { AuditSummary } from './summary.js';

/** The RPO probe convention (see DrillRecord.rpo): a step output in seconds. */
export const rpoOutput = 'rpoSeconds';

/** What the last RPO probe of a run reported. */
export interface RpoProbe {
  readonly stepId: string;
  readonly ms: number;
  /** The probe's `rpoSource` output (`primary`, or `standby` for an estimate), when it has one. */
  readonly source?: string;
}

/**
 * The last step that reported `rpoSeconds`: the probe of runs without a drill record. Shell steps
 * report outputs as text, so a numeric string counts too (as in the drill runner's measurement).
 */
export function rpoProbe(s: AuditSummary): RpoProbe | undefined {
  for (const st of [...s.steps].reverse()) {
    const v = st.outputs?.[rpoOutput];
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    const source = st.outputs?.rpoSource;
    if (Number.isFinite(n))
      return {
        stepId: st.stepId,
        ms: Math.round(n * 1000),
        ...(typeof source === 'string' && source ? { source } : {}),
      };
  }
  return undefined;
}
