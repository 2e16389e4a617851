import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, type ErrorBody } from './error-body.js';

const GENERIC_SERVER_ERROR = 'Internal server error';

/**
 * Turns anything thrown while answering an HTTP request into `{statusCode,error,message}`.
 * Client errors keep their message (validation: the list of field messages); server errors get a
 * generic message and their details go to the log only. Never a stack trace in a response.
 * Only HTTP: other contexts (the event transport) re-throw to their own handling.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) {
      const request = http.getRequest<FastifyRequest>();
      this.logger.error({ err: exception, method: request.method, url: request.url }, 'request failed');
    }
    void reply.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status >= 500) return errorBody(status, GENERIC_SERVER_ERROR);
      return errorBody(status, messageOf(exception.getResponse()) ?? exception.message);
    }
    // Errors raised by Fastify itself (body too large, malformed JSON, ...) carry their status.
    const status = statusOf(exception);
    if (status !== undefined && status >= 400 && status < 500 && exception instanceof Error) {
      return errorBody(status, exception.message);
    }
    return errorBody(HttpStatus.INTERNAL_SERVER_ERROR, GENERIC_SERVER_ERROR);
  }
}

function messageOf(response: string | object): string | readonly string[] | undefined {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message) && message.every((m) => typeof m === 'string')) return message;
  return undefined;
}

function statusOf(exception: unknown): number | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const status = (exception as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined;
}
