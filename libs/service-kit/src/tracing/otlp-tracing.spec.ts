import { diag, trace } from '@opentelemetry/api';
import { InvalidConfigError } from '@platform/events';
import { afterAll, describe, expect, it } from 'vitest';
import { BaseServiceConfig } from '../config/base-service.config.js';
import { loadConfig } from '../config/load-config.js';
import { loadConfigError } from '../testing/config-error.js';
import { otlpTracesUrl, startOtlpTracing, type OtlpTracing } from './otlp-tracing.js';

// The export itself, over real HTTP, is checked by apps/loyalty/src/otlp-tracing.int.spec.ts.

const configError = (env: Record<string, string>): InvalidConfigError => loadConfigError(BaseServiceConfig, env);

describe('OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME', () => {
  it('are optional: unset (or empty), tracing is off', () => {
    const config = loadConfig(BaseServiceConfig, { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_SERVICE_NAME: '' });
    expect(config.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(config.OTEL_SERVICE_NAME).toBeUndefined();
    expect(startOtlpTracing('probe', config, { info: () => undefined, warn: () => undefined })).toBeUndefined();
  });

  it('accepts http:// and https:// endpoints', () => {
    for (const endpoint of ['http://otel-collector:4318', 'https://otlp.example.com/otlp/', 'http://127.0.0.1:4318']) {
      expect(loadConfig(BaseServiceConfig, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).OTEL_EXPORTER_OTLP_ENDPOINT).toBe(endpoint);
    }
  });

  it.each(['otel-collector:4318', 'localhost:4318', 'grpc://collector:4317', 'not a url'])('refuses %j at boot, naming the key', (endpoint) => {
    const error = configError({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    expect(error.key).toBe('OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(error.message).toMatch(/^invalid config OTEL_EXPORTER_OTLP_ENDPOINT: OTEL_EXPORTER_OTLP_ENDPOINT must be an (absolute )?http:\/\/ or https:\/\/ URL/);
  });

  it('derives the traces URL as the OpenTelemetry spec does', () => {
    expect(otlpTracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('https://otlp.example.com/otlp/')).toBe('https://otlp.example.com/otlp/v1/traces');
  });
});

describe('startOtlpTracing', () => {
  const warnings: string[] = [];
  const logger = { info: () => undefined, warn: (_object: object, message: string) => void warnings.push(message) };
  let tracing: OtlpTracing | undefined;

  afterAll(async () => {
    await tracing?.shutdown();
    trace.disable();
    diag.disable();
  });

  it('registers a provider whose resource names the service (OTEL_SERVICE_NAME overrides it), once per process', async () => {
    tracing = startOtlpTracing('probe', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/', OTEL_SERVICE_NAME: 'probe-eu' }, logger, {});
    expect(tracing).toBeDefined();
    expect(tracing!.url).toBe('http://127.0.0.1:4318/v1/traces');
    expect(tracing!.resource.attributes).toMatchObject({
      'service.name': 'probe-eu',
      'service.instance.id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'telemetry.sdk.name': 'opentelemetry',
    });
    const span = trace.getTracer('otlp-tracing.spec').startSpan('probe');
    expect(span.isRecording()).toBe(true); // not ended: nothing to export to the absent collector

    // A second provider in the same process is not registered: the first one is kept.
    expect(startOtlpTracing('other', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, logger, {})).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/a tracer provider is already registered/)]);
  });

  it('uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT when set, as the SDK would', () => {
    trace.disable();
    const specific = startOtlpTracing('probe', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, logger, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4319/custom' });
    expect(specific?.url).toBe('http://127.0.0.1:4319/custom');
    expect(specific?.resource.attributes['service.name']).toBe('probe');
    void specific?.shutdown();
  });
});
