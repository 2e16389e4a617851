import { describe, expect, it } from 'vitest';
import { isInfrastructureFailure } from './infrastructure-failure.js';

/** What `pg` rejects with: an Error carrying the server's SQLSTATE in `code`. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('isInfrastructureFailure', () => {
  it('a database that refuses new connections (ALLOW_CONNECTIONS false, SQLSTATE 55000) is the database being unavailable', () => {
    expect(isInfrastructureFailure(pgError('55000', 'database "e2e_1234_order" is not currently accepting connections'))).toBe(true);
    // As the cause of a wrapping error, as the storage layer may rethrow it.
    expect(isInfrastructureFailure(new Error('could not open the database', { cause: pgError('55000', 'database "x" is not currently accepting connections') }))).toBe(true);
  });

  it('the same SQLSTATE for an object in the wrong state is a statement error, not the database being down', () => {
    expect(isInfrastructureFailure(pgError('55000', 'cannot execute this statement: the sequence is not yet defined in this session'))).toBe(false);
    expect(isInfrastructureFailure(pgError('55006', 'database "x" is being accessed by other users'))).toBe(false);
  });

  it('keeps the existing classes: connection exceptions, too many clients, admin shutdown, socket errors', () => {
    expect(isInfrastructureFailure(pgError('08006', 'connection failure'))).toBe(true);
    expect(isInfrastructureFailure(pgError('53300', 'sorry, too many clients already'))).toBe(true);
    expect(isInfrastructureFailure(pgError('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isInfrastructureFailure(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'))).toBe(true);
    expect(isInfrastructureFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isInfrastructureFailure(pgError('23505', 'duplicate key value violates unique constraint'))).toBe(false);
    expect(isInfrastructureFailure(new Error('handler failed'))).toBe(false);
  });
});
