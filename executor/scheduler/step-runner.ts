import type { IrBody, IrNode } from '../../ir/types.js';
import type { StepStatus } from '../core/events.js';

export interface AttemptResult {
  readonly outputs: Record<string, unknown>;
  readonly result?: unknown;
}

/**
 * What the scheduler needs from the world for one step; the real implementation renders
 * parameters and calls actions, tests plug in fakes.
 */
export interface StepRunner {
  /** Dry run: attempts call each action's `plan` instead of its effect. */
  readonly dryRun: boolean;
  /** Whether the step's action changes the world (from the action catalogue). */
  sideEffects(node: IrNode): boolean;
  /** Evaluates `if:`; false means the step is skipped. */
  shouldRun(node: IrNode): boolean;
  /** The approval gate in front of a step (its `approval:`); throws to refuse. */
  gate(node: IrNode, signal: AbortSignal): Promise<void>;
  /** One attempt: the action, then outputs and asserts. Throws on failure. */
  attempt(node: IrNode, attempt: number, signal: AbortSignal): Promise<AttemptResult>;
  /** Runs a completed step's compensation (`rollback:` body). */
  compensate(node: IrNode, body: IrBody, signal: AbortSignal): Promise<void>;
  /** Makes a finished step's status, outputs and error (`steps.X.error`) visible to later expressions. */
  record(node: IrNode, status: StepStatus, outputs: Record<string, unknown>, error?: string): void;
  /**
   * Makes the run's outcome so far visible as `run.status` (`running`, then the phases' outcome
   * in `finally`) and the steps that failed or timed out so far as `run.failed`.
   */
  recordRun?(status: string, failed: readonly string[]): void;
}
