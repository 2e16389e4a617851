import pg from 'pg';
import { NumericOid } from './numeric-oid.js';

// pg's declared TypeId union omits the array OIDs it does parse.
const builtinParser = pg.types.getTypeParser as (oid: number, format?: 'text') => (value: string) => unknown;
const toNumber = (value: string): number => Number(value);
const toNumbers = (parseArray: (value: string) => unknown) => (value: string) =>
  (parseArray(value) as Array<string | null>).map((item) => (item === null ? null : Number(item)));

const overrides = new Map<number, (value: string) => unknown>([
  [NumericOid.Int8, toNumber],
  [NumericOid.Numeric, toNumber],
  [NumericOid.Int8Array, toNumbers(builtinParser(NumericOid.Int8Array))],
  [NumericOid.NumericArray, toNumbers(builtinParser(NumericOid.NumericArray))],
]);

/** Per-connection type parsers (never the process-global `pg.types`) that read {@link NumericOid} as numbers. */
export const pgTypeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    (format ?? 'text') === 'text' && overrides.has(oid)
      ? overrides.get(oid)!
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};
