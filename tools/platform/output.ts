/** Output helpers: aligned tables, byte sizes, ages. */

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string | number | undefined;
  readonly align?: 'left' | 'right';
  /** Fixed width (streamed lines); a table sizes columns to their content. */
  readonly width?: number;
}

const cell = (v: string | number | undefined) => (v === undefined || v === '' ? '-' : String(v));

/** An aligned table: a header line and one line per row, columns two spaces apart. */
export function table<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** One row with fixed column widths (for output that streams, like `tail --follow`). */
export function fixedLine<Row>(row: Row | undefined, columns: readonly Column<Row>[]): string {
  return columns
    .map((c, i) => {
      const v = row === undefined ? c.header : cell(c.value(row));
      const width = c.width ?? v.length;
      if (i === columns.length - 1) return v;
      return c.align === 'right' ? v.padStart(width) : v.padEnd(width);
    })
    .join('  ')
    .trimEnd();
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** `850ms`, `12s`, `5m12s`, `3h04m`, `2d05h`. Negative spans (clock skew) read `0s`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** How long ago `time` was, or `undefined` when there is no time. */
export function age(time: string | Date | undefined, now = Date.now()): string | undefined {
  if (time === undefined) return undefined;
  const t = typeof time === 'string' ? Date.parse(time) : time.getTime();
  return Number.isNaN(t) ? undefined : duration(now - t);
}

/** A JetStream timestamp (RFC 3339 with nanoseconds) shortened to milliseconds; the zero time is unset. */
export function isoMillis(time: string | undefined): string | undefined {
  if (!time || time.startsWith('0001-01-01')) return undefined;
  const t = Date.parse(time);
  return Number.isNaN(t) ? time : new Date(t).toISOString();
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
