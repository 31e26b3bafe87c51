/** A file read by the compiler. Positions everywhere else are offsets into `text`. */
export interface SourceFile {
  /** Path relative to the project root, with forward slashes. */
  readonly path: string;
  readonly text: string;
}

/** Half-open offset range `[start, end)` into a SourceFile's text. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

/** 1-based line and column. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

const lineStartCache = new WeakMap<SourceFile, number[]>();

/** Offsets where each line of `file` starts (computed once per file). */
export function lineStarts(file: SourceFile): number[] {
  let starts = lineStartCache.get(file);
  if (!starts) {
    starts = [0];
    const { text } = file;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    lineStartCache.set(file, starts);
  }
  return starts;
}

/**
 * Takes the line starts another thread computed for the same text (compiler/parallel loads YAML
 * files on workers): the calling thread would otherwise scan every file again for the graph's
 * source positions, on the part of a compile that runs on one core.
 */
export function adoptLineStarts(file: SourceFile, starts: number[]): void {
  if (!lineStartCache.has(file)) lineStartCache.set(file, starts);
}

/** Offsets are stored; lines and columns are computed only when printing (binary search). */
export function positionAt(file: SourceFile, offset: number): Position {
  const starts = lineStarts(file);
  const clamped = Math.max(0, Math.min(offset, file.text.length));
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= clamped) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: clamped - starts[lo] + 1 };
}

/** The text of a 1-based line without its line break. */
export function lineText(file: SourceFile, line: number): string {
  const starts = lineStarts(file);
  const start = starts[line - 1] ?? file.text.length;
  const end = starts[line] ?? file.text.length;
  return file.text.slice(start, end).replace(/\r?\n$/, '');
}

export function lineCount(file: SourceFile): number {
  return lineStarts(file).length;
}
