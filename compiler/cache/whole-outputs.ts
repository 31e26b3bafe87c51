import { join } from 'node:path';
import { readChecked, writeChecked } from './store.js';

/** Format of `whole.json`; bump when its shape changes. */
const wholeFormat = 1;

/** One file built from the whole tree, and the hash of the input it was rendered from. */
interface WholeOutput {
  readonly emitter: string;
  readonly path: string;
  readonly key: string;
  readonly content: string;
}

/** `whole.json` in the cache folder. */
interface WholeFile {
  readonly format: number;
  readonly tool: string;
  readonly outputs: WholeOutput[];
}

/**
 * The files built from the whole tree (emit-memo.ts `renderWithMemo`), kept apart from the
 * per-file entries: their key is a hash of their whole render input, so they are valid for any
 * tree and any compile (full or incremental) of the same tool build. Read on first use; written
 * back only when something was rendered anew, and then with only what this compile emitted.
 */
export class WholeOutputs {
  private previous: Map<string, WholeOutput> | undefined;
  private readonly now = new Map<string, WholeOutput>();
  private rendered = false;

  constructor(
    private readonly dir: string,
    private readonly tool: string,
  ) {}

  reuse(emitter: string, path: string, key: string): string | undefined {
    const id = idOf(emitter, path);
    const known = this.load().get(id);
    if (known?.key !== key) return undefined;
    this.now.set(id, known);
    return known.content;
  }

  record(emitter: string, path: string, key: string, content: string): void {
    this.now.set(idOf(emitter, path), { emitter, path, key, content });
    this.rendered = true;
  }

  /** Writes `whole.json` when this compile rendered something or dropped a file (the dir exists). */
  save(): void {
    if (!this.rendered && this.now.size === this.load().size) return;
    const file: WholeFile = { format: wholeFormat, tool: this.tool, outputs: [...this.now.values()] };
    writeChecked(this.path(), file);
  }

  private load(): Map<string, WholeOutput> {
    if (this.previous) return this.previous;
    const file = readChecked<WholeFile>(this.path());
    const usable = file?.format === wholeFormat && file.tool === this.tool && Array.isArray(file.outputs);
    this.previous = new Map(usable ? file.outputs.map((o) => [idOf(o.emitter, o.path), o]) : []);
    return this.previous;
  }

  private path(): string {
    return join(this.dir, 'whole.json');
  }
}

const idOf = (emitter: string, path: string): string => `${emitter}\0${path}`;
