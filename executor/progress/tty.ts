import { createLogUpdate } from 'log-update';
import { stripVTControlCharacters } from 'node:util';
import pc from 'picocolors';
import type { StepLogger } from '../actions/action.js';
import type { AuditRecord } from '../audit/record.js';
import { renderFrame } from './tty-frame.js';
import { addLogLine, applyRecord, createTtyState } from './tty-state.js';

export { renderFrame, type FrameSize } from './tty-frame.js';
export { addLogLine, applyRecord, createTtyState, type TtyState } from './tty-state.js';

/** The live view; `done` persists the last frame (run:end calls it; call it if the run throws). */
export interface TtyProgress {
  onRecord(record: AuditRecord): void;
  logger(stepId: string): StepLogger;
  /** A line kept in the frame (e.g. "SIGINT: stopping"): writing to the stream would tear it. */
  note(message: string): void;
  /** Leaves the current frame on screen and stops redrawing until `resume` (around a prompt). */
  suspend(): void;
  resume(): void;
  done(): void;
}

export interface TtyProgressOptions {
  readonly color?: boolean;
  readonly now?: () => number;
  /** Redraw period (default 100 ms): the frame never redraws more often. */
  readonly intervalMs?: number;
  /**
   * The run may prompt on this terminal (approvals, manual and checklist steps). A redraw would
   * erase a prompt, so the view suspends itself while the records say one may be open.
   */
  readonly interactive?: boolean;
}

/**
 * Live progress for terminals: the same records as plainProgress, drawn as one frame that is
 * redrawn in place (log-update) at most every `intervalMs`. The timer is unref'ed, so a run that
 * ends without run:end (a thrown error) does not hang the process; log lines come in already
 * masked by the run's logger and are only cleaned of control sequences here.
 */
export function ttyProgress(stream: NodeJS.WriteStream, options: TtyProgressOptions = {}): TtyProgress {
  const now = options.now ?? Date.now;
  const color = options.color ?? (typeof stream.hasColors === 'function' ? stream.hasColors() : pc.isColorSupported);
  const state = createTtyState();
  const log = createLogUpdate(stream);
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let finished = false;
  let suspended = 0;
  const draw = () => log(renderFrame(state, now(), color, { rows: stream.rows, columns: stream.columns }));
  /** Draws the frame once more and leaves it on screen; the next draw starts below it. */
  const persist = () => {
    clearInterval(timer);
    timer = undefined;
    draw();
    log.done();
  };
  const sync = () => {
    const hold = suspended > 0 || (options.interactive === true && state.prompting.size > 0);
    if (finished || !started) return;
    if (hold && timer) persist();
    else if (!hold && !timer) {
      timer = setInterval(draw, options.intervalMs ?? 100);
      timer.unref();
    }
  };
  const done = () => {
    if (finished) return;
    finished = true;
    if (started) persist();
  };
  const line = (stepId: string) => (text: string) => {
    if (!finished) addLogLine(state, stepId, text);
  };
  return {
    onRecord(record) {
      if (finished) return;
      started = true;
      applyRecord(state, record);
      if (record.type === 'run:end') done();
      else sync();
    },
    logger: (stepId) => ({ info: line(stepId), stdout: line(stepId), stderr: line(stepId) }),
    note: (message) =>
      void (finished ? stream.write(message + '\n') : state.notes.push(stripVTControlCharacters(message).trim())),
    suspend() {
      suspended++;
      sync();
    },
    resume() {
      suspended = Math.max(0, suspended - 1);
      sync();
    },
    done,
  };
}
