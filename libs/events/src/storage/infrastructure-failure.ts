/**
 * Whether `error` says the database itself is unavailable — not that a statement was wrong:
 * the connection was refused, lost or timed out, the server is shutting down or out of
 * connections. Such a failure is nobody's event's fault, so the consumer keeps the batch and
 * tries again later instead of spending the events' delivery attempts.
 *
 * SQLSTATE classes: 08 (connection exception), 53 (insufficient resources: `too many clients`),
 * 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now), and 57014 when it is the
 * `statement_timeout` (a statement stuck behind a lock or on an overloaded server; the same code
 * for a query cancelled by hand is not), and 55000 when it is the refusal of a database that does
 * not accept connections now (`ALTER DATABASE … ALLOW_CONNECTIONS false`: `database "…" is not
 * currently accepting connections`; the same code for an object in the wrong state is not). Node
 * socket errors and the messages `pg` uses for a dead connection or a pool that could not connect
 * in time.
 */
export function isInfrastructureFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code.startsWith('08') || code.startsWith('53') || code === '57P01' || code === '57P02' || code === '57P03') return true;
      if (code === '57014' && current instanceof Error && /statement timeout/.test(current.message)) return true;
      if (code === '55000' && current instanceof Error && /is not currently accepting connections/.test(current.message)) return true;
      if (NODE_SOCKET_CODES.has(code)) return true;
    }
    const message = current instanceof Error ? current.message : '';
    if (CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) return true;
  }
  return false;
}

const NODE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

const CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^Client has encountered a connection error/,
  /^Client was closed and is not queryable/,
  /timeout exceeded when trying to connect/,
  /^Cannot use a pool after calling end/,
];
