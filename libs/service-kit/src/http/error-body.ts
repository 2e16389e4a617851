import { STATUS_CODES } from 'node:http';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** The JSON shape of every error response. `message` is a list of field messages for validation errors. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string | readonly string[];
}

export function errorBody(statusCode: number, message: string | readonly string[]): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/**
 * {@link ErrorBody} as an OpenAPI schema (`#/components/schemas/ErrorBody`): every documented error
 * response of every service refers to this one definition (`ApiErrorResponses`).
 */
@ApiSchema({ name: 'ErrorBody', description: 'The body of every error response.' })
export class ErrorBodySchema implements ErrorBody {
  @ApiProperty({ type: 'integer', description: 'The HTTP status code, repeated.', example: 400 })
  readonly statusCode!: number;

  @ApiProperty({ type: 'string', description: 'The reason phrase of the status code.', example: 'Bad Request' })
  readonly error!: string;

  @ApiProperty({
    description: 'What went wrong; for a validation error, one message per invalid or unknown field. Never a stack trace.',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['items.0.quantity must not be greater than 100'],
  })
  readonly message!: string | readonly string[];
}
