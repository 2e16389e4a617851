import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Hands every error thrown by an event handler to the JetStream transport unchanged, so that
 * its class (RetryableError, PermanentError, …) decides retry or dead-letter. NestJS's default
 * RPC filter would replace it with `{ status: 'error', message: 'Internal server error' }`.
 */
@Catch()
export class EventErrorPassthroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
