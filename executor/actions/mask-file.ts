import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import { hashForm } from '../core/hashed-masks.js';
import { secretForms } from '../core/secrets.js';
import type { ActionContext } from './action.js';

/** More than this in `$RUNBOOK_MASK` is not read: a runaway script cannot exhaust memory. */
const MASK_FILE_LIMIT = 1024 * 1024;

/**
 * `$RUNBOOK_MASK`: each line a script appends registers a value to mask from then on, like
 * GitHub's `::add-mask::` workflow command. The file is read again before every chunk of the
 * script's output is handled: a script that registers a value and then prints it writes the file
 * first, so the value is known by the time its line arrives. Each value is added to the run's
 * masker (so the log, audit, outputs, reports and notifications all mask it, with its base64 and
 * hex forms) and journaled as salted hashes (`mask:add`), never in clear, for `resume`.
 */
export class MaskFile {
  private readonly fd: number;
  private offset = 0;
  private partial = '';
  private readonly journaled: Promise<void>[] = [];

  constructor(
    readonly path: string,
    private readonly ctx: Pick<ActionContext, 'secrets' | 'services' | 'step' | 'run' | 'log'>,
  ) {
    writeFileSync(path, '', { mode: 0o600 });
    this.fd = openSync(path, 'r');
  }

  /** Registers every complete line appended since the last poll. */
  poll(): void {
    const size = Math.min(fstatSync(this.fd).size, MASK_FILE_LIMIT);
    if (size <= this.offset) return;
    const buf = Buffer.alloc(size - this.offset);
    const n = readSync(this.fd, buf, 0, buf.length, this.offset);
    this.offset += n;
    const text = this.partial + buf.subarray(0, n).toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    this.register(lines);
  }

  /** The last poll (an unterminated last line counts), then waits for the journal. */
  async close(): Promise<void> {
    try {
      this.poll();
      if (this.partial !== '') this.register([this.partial]);
      this.partial = '';
    } finally {
      closeSync(this.fd);
    }
    await Promise.all(this.journaled);
  }

  private register(lines: string[]): void {
    const forms: string[] = [];
    for (const raw of lines) {
      const value = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (value === '') continue;
      if (!this.ctx.secrets.add(value)) {
        // The value itself is not shown: it is short, but it is what the script wanted hidden.
        this.ctx.log.info('$RUNBOOK_MASK: a value shorter than 4 characters is not masked');
        continue;
      }
      for (const form of secretForms(value)) forms.push(hashForm(this.ctx.run.id, form));
    }
    if (forms.length)
      this.journaled.push(this.ctx.services.events.emit('mask:add', { stepId: this.ctx.step.id, forms }));
  }
}
