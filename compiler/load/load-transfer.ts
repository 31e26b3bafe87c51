import { adoptLineStarts, lineStarts, type SourceFile } from '../source/source-file.js';
import type { FileLoadResult } from './load-file.js';
import type { LoadedDoc } from './loaded-doc.js';
import { SourceMap, type SourceMapParts } from './source-map.js';

/**
 * A file's load result as plain data, for loading files on worker threads (compiler/parallel):
 * documents without their SourceFile (the receiving thread has it) and with their SourceMap as
 * parts. `decodeLoadResult` puts the result back together around the receiving thread's file.
 */
export interface EncodedLoadResult {
  readonly docs: (Omit<LoadedDoc, 'file' | 'map'> & { readonly map: SourceMapParts })[];
  readonly diagnostics: FileLoadResult['diagnostics'];
  /** The file's line starts, when the encoding thread had the file (see `adoptLineStarts`). */
  readonly lineStarts?: number[];
}

export function encodeLoadResult(result: FileLoadResult, file?: SourceFile): EncodedLoadResult {
  return {
    docs: result.docs.map(({ file: _file, map, ...doc }) => ({ ...doc, map: map.toParts() })),
    diagnostics: result.diagnostics,
    ...(file ? { lineStarts: lineStarts(file) } : {}),
  };
}

export function decodeLoadResult(file: SourceFile, encoded: EncodedLoadResult): FileLoadResult {
  if (encoded.lineStarts) adoptLineStarts(file, encoded.lineStarts);
  return {
    docs: encoded.docs.map(({ map, ...doc }): LoadedDoc => ({ file, ...doc, map: new SourceMap(file, map) })),
    diagnostics: encoded.diagnostics,
  };
}
