import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../tokens.js';
import { Public } from '../auth/auth.decorators.js';

/** `GET /metrics`: the app instance's registry in the Prometheus text format. */
@Public() // no token needed: probes and Prometheus scrape it
@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly register: Registry) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics', description: 'The metrics of this instance in the Prometheus text format (docs/metrics.md). Open: no token needed.' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The metrics.', content: { 'text/plain': { schema: { type: 'string' } } } })
  async metrics(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    reply.header('Content-Type', this.register.contentType);
    return this.register.metrics();
  }
}
