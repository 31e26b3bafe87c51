import type { Range } from '../source/source-file.js';

/** One `#id`, `key=value`, `key="quoted value"` or `flag` of an attribute block. */
export interface Attribute {
  /** `id` for `#id`. */
  readonly key: string;
  /** `true` for a bare flag; quotes removed and `\"` unescaped for quoted values. */
  readonly value: string | true;
  /** The whole token. Ranges are offsets into the parsed string; callers add their base offset. */
  readonly range: Range;
  readonly keyRange: Range;
  /** The value text (inside the quotes); the key for a flag. */
  readonly valueRange: Range;
}

export interface AttributeError {
  readonly message: string;
  readonly range: Range;
}

export interface ParsedAttributes {
  readonly attributes: Attribute[];
  readonly errors: AttributeError[];
}

const keyChars = /[A-Za-z0-9_.-]/;
const space = /[ \t]/;

/**
 * Parses an attribute block `{#id key=value key="quoted value" flag}` (braces included), the
 * Pandoc / markdown-it-attrs syntax authors already know from headings and fenced code info strings.
 * Never throws: problems come back as errors so the loader can report each one at its position.
 */
export function parseAttributes(text: string): ParsedAttributes {
  const attributes: Attribute[] = [];
  const errors: AttributeError[] = [];
  const close = text.trimEnd().length - 1;
  if (text[0] !== '{' || text[close] !== '}' || close < 1) {
    errors.push({
      message: 'expected an attribute block like {#id key=value flag}',
      range: { start: 0, end: text.length },
    });
    return { attributes, errors };
  }
  let i = 1;
  while (i < close) {
    if (space.test(text[i])) {
      i++;
      continue;
    }
    const { end, ...token } = readToken(text, i, close);
    i = end;
    if ('message' in token) {
      errors.push(token);
      continue;
    }
    if (attributes.some((a) => a.key === token.key)) {
      errors.push({ message: `attribute "${token.key}" is set twice`, range: token.range });
      continue;
    }
    attributes.push(token);
  }
  return { attributes, errors };
}

type TokenResult = (Attribute & { end: number }) | (AttributeError & { end: number });

function readToken(text: string, start: number, close: number): TokenResult {
  const hash = text[start] === '#';
  const keyStart = hash ? start + 1 : start;
  let i = keyStart;
  while (i < close && keyChars.test(text[i])) i++;
  if (i === keyStart)
    return skipBad(
      text,
      start,
      close,
      hash ? 'expected an id after #' : `unexpected character ${JSON.stringify(text[start])}`,
    );
  const keyRange = { start: keyStart, end: i };
  if (hash)
    return finish(
      text,
      { key: 'id', value: text.slice(keyStart, i), range: { start, end: i }, keyRange, valueRange: keyRange },
      close,
    );
  const key = text.slice(keyStart, i);
  if (text[i] !== '=')
    return finish(text, { key, value: true, range: { start, end: i }, keyRange, valueRange: keyRange }, close);
  const value = readValue(text, i + 1, close);
  if ('message' in value)
    return { message: value.message, range: { start, end: value.range.end }, end: skipToSpace(text, value.end, close) };
  return finish(
    text,
    { key, value: value.text, range: { start, end: value.end }, keyRange, valueRange: value.range },
    close,
  );
}

/** A token must end at a space or the closing brace: `a=b"c"` is an error, not two tokens. */
function finish(text: string, attribute: Attribute, close: number): TokenResult {
  const end = attribute.range.end;
  if (end < close && !space.test(text[end]))
    return skipBad(text, end, close, `unexpected character ${JSON.stringify(text[end])}`);
  return { ...attribute, end };
}

function readValue(
  text: string,
  start: number,
  close: number,
): { text: string; range: Range; end: number } | (AttributeError & { end: number }) {
  const quote = text[start];
  if (quote === '"' || quote === "'") {
    let out = '';
    for (let i = start + 1; i < close; i++) {
      const c = text[i];
      if (c === quote) return { text: out, range: { start: start + 1, end: i }, end: i + 1 };
      if (c === '\\' && i + 1 < close && (text[i + 1] === quote || text[i + 1] === '\\')) out += text[++i];
      else out += c;
    }
    return { message: 'unterminated quoted value', range: { start, end: close }, end: close };
  }
  let i = start;
  while (i < close && !space.test(text[i]) && text[i] !== '"' && text[i] !== "'") i++;
  if (i === start) return { message: 'missing value after =', range: { start: start - 1, end: start }, end: start };
  return { text: text.slice(start, i), range: { start, end: i }, end: i };
}

function skipToSpace(text: string, from: number, close: number): number {
  let i = from;
  while (i < close && !space.test(text[i])) i++;
  return i;
}

function skipBad(text: string, start: number, close: number, message: string): TokenResult {
  const end = Math.max(skipToSpace(text, start, close), start + 1);
  return { message, range: { start, end }, end };
}

/**
 * Finds an attribute block at the end of a heading's text. `{{ … }}` template braces never count,
 * so a heading may end with an expression.
 */
export function findTrailingAttributes(text: string): Range | undefined {
  const m = /(?<!\{)\{(?!\{)[^{}]*\}[ \t]*$/.exec(text);
  if (!m) return undefined;
  return { start: m.index, end: m.index + m[0].trimEnd().length };
}
