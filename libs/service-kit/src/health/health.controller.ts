import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ReadinessRegistry } from './readiness.registry.js';

export type ReadinessBody =
  | { readonly status: 'ready'; readonly checks: Readonly<Record<string, boolean>> }
  | { readonly status: 'not_ready'; readonly checks: Readonly<Record<string, boolean>>; readonly draining?: true };

/** Liveness (the process answers) and readiness (its dependencies are usable) probes. */
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessRegistry) {}

  /** 200 `{status:'ok'}` while the event loop answers. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 `{status:'ready',checks}` when every check passes; 503 `{status:'not_ready',checks}` otherwise or while draining. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessBody> {
    const report = await this.readiness.report();
    if (report.ready) return { status: 'ready', checks: report.checks };
    reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return report.draining ? { status: 'not_ready', checks: report.checks, draining: true } : { status: 'not_ready', checks: report.checks };
  }
}
