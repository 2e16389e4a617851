import { ApiProperty } from '@nestjs/swagger';
import { IsCustomerId } from '@platform/contracts';

export class CustomerParams {
  /** 1–64 characters, no control characters (as in the order contracts). */
  @ApiProperty({ type: 'string', minLength: 1, maxLength: 64, description: 'The customer (a customer token: itself only).', example: 'c-1' })
  @IsCustomerId()
  customerId!: string;
}
