// A service adopting @platform/events outside this repository: one contract, one stream, one durable consumer.
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { jetstreamManager } from '@nats-io/jetstream';
import { IsString } from 'class-validator';
import { defineEvent, EventRegistry, EventsRuntime, HandleEvent, openDatabase, type EventEnvelope } from '@platform/events';
import { provision } from '@platform/events-ops';

class Greeted { @IsString() name!: string; }
const greeted = defineEvent({ type: 'greeter.greeted.v1', payload: Greeted, aggregate: 'name', subjectField: 'name', domain: 'greetings', description: 'Someone was greeted.' });
const stream = (name: string, subject: string) => ({ name, subjects: [subject], description: name, duplicateWindowMs: 120_000 });
const topology = {
  streams: [stream('GREETINGS', 'greetings.>'), stream('DLQ', 'dlq.>')],
  consumers: [{ stream: 'GREETINGS', durable: 'greeter-greetings', service: 'greeter', filterSubject: 'greetings.*.*', description: 'greets', ackWaitMs: 30_000, maxDeliver: 5, maxAckPending: 100 }],
};
let done!: (name: string) => void;
const greetedName = new Promise<string>((resolve) => (done = resolve));

@Controller() class Greetings {
  @HandleEvent(greeted) onGreeted(@Payload() event: EventEnvelope<Greeted>) { done(event.data.name); }
}
@Module({ controllers: [Greetings] }) class GreeterModule {}

const db = await openDatabase({ dataDir: process.env['DATA_DIR'] ?? '.data' });
const runtime = await EventsRuntime.start({ service: 'greeter', nats: { url: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222', nkeySeedFile: process.env['NATS_NKEY_SEED_FILE'] }, db, registry: new EventRegistry().register(greeted), topology });
await provision(await jetstreamManager(runtime.nc), topology);
const app = await NestFactory.create(GreeterModule, new FastifyAdapter(), { logger: false });
runtime.connectTransport(app);
await app.startAllMicroservices();
await db.transaction((tx) => runtime.outbox.append(tx, { type: greeted.type, tenantId: 'demo', aggregateId: 'ada', data: { name: 'Ada' } }));
console.log(`greeted ${await greetedName}`);
await app.close();
await runtime.close();
await db.close();
