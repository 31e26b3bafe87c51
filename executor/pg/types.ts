import pg from 'pg';

/** OIDs of the types whose pg default does not suit a journaled, template-read result. */
const oid = {
  int8: 20,
  numeric: 1700,
  bytea: 17,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  timetz: 1266,
} as const;

/**
 * Text → number when no precision is lost: integers within Number.MAX_SAFE_INTEGER, decimals of
 * at most 15 significant digits (a double round-trips any 15-digit decimal). Anything else
 * (`NaN`, `Infinity`, longer values) stays the string PostgreSQL sent.
 */
export function numberIfSafe(text: string): number | string {
  if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text)) return text;
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  if (/^-?\d+$/.test(text)) return Number.isSafeInteger(n) ? n : text;
  const digits = text.replace(/e.*$/i, '').replace(/[-.]/g, '').replace(/^0+/, '');
  return digits.length <= 15 ? n : text;
}

const keepText = (text: string): string => text;

/**
 * Type parsers for postgres.query results, so rows are plain JSON that reads the same in
 * templates, the journal and after a resume:
 * - `int8` (count(*), bigserial) and `numeric` (extract(epoch …) since PG 14) become numbers when
 *   safe, so `{{lt result.rows.0.lag 300}}` compares numbers rather than strings;
 * - dates and times stay PostgreSQL's text (pg's Date objects shift `timestamp` by the local
 *   zone and would turn into a different string once journaled);
 * - `bytea` stays its `\x…` hex text instead of a Buffer.
 * Arrays and every other type keep pg's defaults.
 */
export const resultTypes: pg.CustomTypesConfig = {
  getTypeParser: ((id: number, format?: string) => {
    if (format === 'binary') return pg.types.getTypeParser(id, 'binary');
    switch (id) {
      case oid.int8:
      case oid.numeric:
        return numberIfSafe;
      case oid.bytea:
      case oid.date:
      case oid.time:
      case oid.timestamp:
      case oid.timestamptz:
      case oid.timetz:
        return keepText;
      default:
        return pg.types.getTypeParser(id, 'text');
    }
  }) as pg.CustomTypesConfig['getTypeParser'],
};
