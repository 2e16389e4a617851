import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { jetstream } from '@nats-io/jetstream';
import { trace } from '@opentelemetry/api';
import { consumersOf, createEnvelope, createTraceparent, encodeEnvelope, type EventEnvelope, JetStreamPublisher, newEventId, parseTraceparent } from '@platform/events';
import { type OrderConfirmedV1, platformTopology, subjectFor } from '@platform/contracts';
import { type PlatformTestNats, startPlatformTestNats } from '@platform/events-ops/testing';
import { startTestService, type TestService } from '@platform/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoyaltyServiceConfig } from './config.js';
import { loyaltyService } from './service.definition.js';

// Span export over OTLP (libs/service-kit/src/tracing/otlp-tracing.ts), end to end over loopback
// HTTP: the loyalty service, booted with OTEL_EXPORTER_OTLP_ENDPOINT pointing at an OTLP/HTTP
// receiver in this test, exports the span of an HTTP request and of a consumed event, with the
// trace and span ids that the response's and the emitted event's traceparent carry. Without the
// key no SDK is registered and nothing is sent. (One tracer provider per process: the case without
// the key runs first.)

const TENANT = 'acme';
const WAIT = { timeout: 10_000, interval: 50 };
const SPAN_KIND_SERVER = 2; // OTLP's Span.SpanKind
const SPAN_KIND_CONSUMER = 5;

interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  /** The span's resource attributes (string values). */
  readonly resource: Readonly<Record<string, string>>;
}

interface OtlpReceiver {
  /** The base endpoint (OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly url: string;
  /** Every request received: method, path, content type. */
  readonly requests: { method?: string; path?: string; contentType?: string }[];
  readonly spans: ReceivedSpan[];
  close(): Promise<void>;
}

/** An OTLP/HTTP trace receiver on a free loopback port: POST /v1/traces with an ExportTraceServiceRequest in JSON. */
async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: OtlpReceiver['requests'] = [];
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method, path: request.url, contentType: request.headers['content-type'] });
      if (request.method !== 'POST' || request.url !== '/v1/traces' || !String(request.headers['content-type']).startsWith('application/json')) {
        response.writeHead(404).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      const body = JSON.parse((request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
      for (const resourceSpans of body.resourceSpans ?? []) {
        const resource = Object.fromEntries((resourceSpans.resource?.attributes ?? []).map((a: any) => [a.key, String(a.value?.stringValue ?? a.value?.intValue ?? '')]));
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({ traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId || undefined, name: span.name, kind: span.kind, resource });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves once the service answers GET /health/ready with 200 (its consumers are up). */
const ready = (service: TestService) =>
  vi.waitFor(async () => expect((await fetch(`${service.url}/health/ready`)).status).toBe(200), WAIT);

/** Whether the API hands out recording spans, i.e. an SDK tracer provider is registered. */
const sdkRegistered = () => {
  const span = trace.getTracer('otlp-tracing.int.spec').startSpan('probe');
  const recording = span.isRecording(); // before end(): an ended span records no more
  span.end();
  return recording;
};

describe('loyalty service: traces over OTLP', () => {
  let nats: PlatformTestNats;
  let receiver: OtlpReceiver;

  beforeAll(async () => {
    nats = await startPlatformTestNats();
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await nats?.dispose();
  });

  it('without OTEL_EXPORTER_OTLP_ENDPOINT registers no SDK and exports nothing', async () => {
    const service = await startTestService(loyaltyService, nats.envFor('loyalty'));
    try {
      expect(service.config.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
      await ready(service);
      const response = await fetch(`${service.url}/health/ready`);
      expect(response.status).toBe(200);
      expect(parseTraceparent(response.headers.get('traceparent'))).toBeDefined(); // ids still flow
      expect(sdkRegistered()).toBe(false);
    } finally {
      await service.dispose();
    }
    expect(receiver.requests).toEqual([]);
  });

  describe('with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    let service: TestService<LoyaltyServiceConfig> | undefined;

    beforeAll(async () => {
      service = await startTestService(loyaltyService, { ...nats.envFor('loyalty'), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
      await ready(service);
    });
    afterAll(async () => {
      await service?.dispose();
    });

    it('exports the spans of a request and of a consumed event, flushed on close, as service.name=loyalty', async () => {
      expect(sdkRegistered()).toBe(true);

      // An HTTP request continuing the caller's trace.
      const caller = parseTraceparent(createTraceparent())!;
      const response = await fetch(`${service!.url}/health/ready`, { headers: { traceparent: `00-${caller.traceId}-${caller.spanId}-01` } });
      expect(response.status).toBe(200);
      const answered = parseTraceparent(response.headers.get('traceparent'))!;
      expect(answered).toMatchObject({ traceId: caller.traceId, sampled: true });

      // An event continuing a producer's trace; the consumer's hop emits loyalty.points-awarded.
      const producer = parseTraceparent(createTraceparent())!;
      const order: OrderConfirmedV1 = { orderId: newEventId(), customerId: 'c-traced', totalCents: 1_000, currency: 'EUR' };
      const confirmed = createEnvelope({
        source: 'order',
        type: 'order.confirmed.v1',
        tenantId: TENANT,
        subject: order.orderId,
        sequence: 1,
        data: order,
        traceparent: `00-${producer.traceId}-${producer.spanId}-01`,
      });
      const nc = await nats.connect();
      try {
        await new JetStreamPublisher(jetstream(nc)).publish(subjectFor(confirmed.type, confirmed.tenantid), encodeEnvelope(confirmed), { msgId: confirmed.id });
      } finally {
        await nc.close();
      }
      await nats.settled(consumersOf(platformTopology(), 'loyalty'));
      let awarded: EventEnvelope | undefined;
      await vi.waitFor(async () => {
        awarded = (await nats.read('LOYALTY')).map((m) => m.json as EventEnvelope).find((e) => e.subject === order.customerId);
        expect(awarded).toBeDefined();
      }, WAIT);
      const emitted = parseTraceparent(awarded!.traceparent)!;
      expect(emitted.traceId).toBe(producer.traceId);

      // Closing the service exports what the batch processor still holds.
      await service!.dispose();
      service = undefined;
      await vi.waitFor(() => {
        expect(receiver.spans.some((s) => s.kind === SPAN_KIND_SERVER && s.traceId === caller.traceId)).toBe(true);
        expect(receiver.spans.some((s) => s.kind === SPAN_KIND_CONSUMER && s.traceId === producer.traceId)).toBe(true);
      }, WAIT);

      expect(receiver.requests.every((r) => r.method === 'POST' && r.path === '/v1/traces')).toBe(true);
      const request = receiver.spans.find((s) => s.kind === SPAN_KIND_SERVER && s.traceId === caller.traceId)!;
      expect(request).toMatchObject({ name: 'GET /health/ready', spanId: answered.spanId, parentSpanId: caller.spanId });
      const consume = receiver.spans.find((s) => s.kind === SPAN_KIND_CONSUMER && s.traceId === producer.traceId)!;
      expect(consume).toMatchObject({ name: expect.stringMatching(/order\.confirmed\.v1$/), spanId: emitted.spanId, parentSpanId: producer.spanId });
      for (const span of [request, consume]) {
        expect(span.resource).toMatchObject({
          'service.name': 'loyalty',
          'service.instance.id': expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
          'telemetry.sdk.language': 'nodejs',
        });
      }
      expect(new Set(receiver.spans.map((s) => s.resource['service.instance.id'])).size).toBe(1);
    });
  });
});
