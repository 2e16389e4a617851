import { generateAsyncApi, type AsyncApiOptions } from './asyncapi.js';
import { generateJsonSchemas, type EventRegistry, type JsonSchema } from '@platform/events';

// The checked-in contract documents (docs/contracts, written by tools/asyncapi.ts): tooling, off
// the runtime path like asyncapi.ts.

/**
 * The generated contract documents as file contents keyed by path relative to the output
 * folder (`docs/contracts`): `asyncapi.json` and `schemas/<type>.json`. Keys sorted at every
 * level, 2-space indentation, trailing newline, so that regenerating an unchanged catalogue
 * changes no byte.
 */
export function renderContractDocuments(registry: EventRegistry, options?: AsyncApiOptions): Record<string, string> {
  const files: Record<string, string> = { 'asyncapi.json': toStableJson(generateAsyncApi(registry, options)) };
  for (const [type, schema] of Object.entries(generateJsonSchemas(registry))) files[`schemas/${type}.json`] = toStableJson(schema);
  return files;
}

/** JSON with object keys sorted recursively, 2-space indentation and a trailing newline. */
export function toStableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: JsonSchema = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as JsonSchema)[key]);
  return sorted;
}
