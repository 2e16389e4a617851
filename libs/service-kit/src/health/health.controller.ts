import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiSchema, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ReadinessRegistry } from './readiness.registry.js';
import { Public } from '../auth/auth.decorators.js';

export type ReadinessBody =
  | { readonly status: 'ready'; readonly checks: Readonly<Record<string, boolean>> }
  | { readonly status: 'not_ready'; readonly checks: Readonly<Record<string, boolean>>; readonly draining?: true };

@ApiSchema({ name: 'Liveness' })
class LivenessBodySchema {
  @ApiProperty({ type: 'string', enum: ['ok'] })
  readonly status!: 'ok';
}

@ApiSchema({ name: 'Readiness' })
class ReadinessBodySchema {
  @ApiProperty({ type: 'string', enum: ['ready', 'not_ready'] })
  readonly status!: 'ready' | 'not_ready';

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'boolean' },
    description: 'Each dependency (storage, nats, the consumers) and whether it is usable.',
    example: { storage: true, nats: true },
  })
  readonly checks!: Record<string, boolean>;

  @ApiProperty({ type: 'boolean', enum: [true], required: false, description: 'Present while the service drains after SIGTERM.' })
  readonly draining?: true;
}

/** Liveness (the process answers) and readiness (its dependencies are usable) probes. */
@ApiTags('health')
@Public() // no token needed: probes and Prometheus scrape it
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessRegistry) {}

  /** 200 `{status:'ok'}` while the event loop answers. */
  @Get('live')
  @ApiOperation({ summary: 'Liveness probe', description: 'Answers while the event loop does. Open: no token needed.' })
  @ApiOkResponse({ description: 'The process is alive.', type: LivenessBodySchema })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 `{status:'ready',checks}` when every check passes; 503 `{status:'not_ready',checks}` otherwise or while draining. */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness probe', description: 'Ready when storage, NATS and the durable consumers are usable. Open: no token needed.' })
  @ApiOkResponse({ description: 'Every check passes.', type: ReadinessBodySchema })
  @ApiServiceUnavailableResponse({ description: 'A check fails, or the service is draining.', type: ReadinessBodySchema })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessBody> {
    const report = await this.readiness.report();
    if (report.ready) return { status: 'ready', checks: report.checks };
    reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return report.draining ? { status: 'not_ready', checks: report.checks, draining: true } : { status: 'not_ready', checks: report.checks };
  }
}
