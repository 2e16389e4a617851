import { Controller, Get, Logger, Module } from '@nestjs/common';
import { Writable } from 'node:stream';

// What the logging specs share: a route that logs one line, and a destination that keeps the
// JSON lines written to it.

@Controller('work')
class WorkController {
  private readonly logger = new Logger(WorkController.name);

  @Get()
  work(): { done: true } {
    this.logger.log('working');
    return { done: true };
  }
}

/** `GET /work` logs `working` through Nest's logger and answers `{ done: true }`. */
@Module({ controllers: [WorkController] })
export class WorkModule {}

/** A log destination and the JSON lines written to it so far. */
export function capturedLines(): { destination: Writable; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { destination, lines };
}
