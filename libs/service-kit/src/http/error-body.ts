import { STATUS_CODES } from 'node:http';

/** The JSON shape of every error response. `message` is a list of field messages for validation errors. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string | readonly string[];
}

export function errorBody(statusCode: number, message: string | readonly string[]): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}
