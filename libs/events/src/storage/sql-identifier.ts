/** Quote `name` as a PostgreSQL identifier, exactly as given (case and punctuation kept). */
export function quoteIdentifier(name: string): string {
  if (name.length === 0 || name.includes('\0')) throw new Error('an SQL identifier must be non-empty and contain no NUL');
  return `"${name.replaceAll('"', '""')}"`;
}
