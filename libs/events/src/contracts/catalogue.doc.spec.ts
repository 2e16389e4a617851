import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPlatformRegistry } from './platform.catalogue.js';
import { generateJsonSchemas } from './json-schema.js';
import type { JsonSchema } from './json-schema.types.js';

const CATALOGUE_PATH = new URL('../../../../docs/events-catalogue.md', import.meta.url);
const registry = createPlatformRegistry();
const schemas = generateJsonSchemas(registry);

interface CatalogueRow {
  readonly type: string;
  readonly subject: string;
  readonly producer: string;
  readonly aggregate: string;
  readonly fields: string;
}

/** Rows of the catalogue table: those whose first cell is a backticked versioned type. */
function catalogueRows(markdown: string): CatalogueRow[] {
  const rows: CatalogueRow[] = [];
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    const type = /^`([a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*)`$/.exec(cells[0] ?? '')?.[1];
    if (!type || cells.length !== 6) continue;
    rows.push({ type, subject: cells[1]!, producer: cells[2]!, aggregate: cells[3]!, fields: cells[5]! });
  }
  return rows;
}

/** `path → modifiers` from a fields cell: `items[]` { `sku`, `quantity` } → items: [], items.sku: '', … */
function documentedFields(cell: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const parents: string[] = [];
  let last: string | undefined;
  for (const match of cell.matchAll(/`([^`]+)`|\{|\}/g)) {
    if (match[0] === '{') {
      if (!last) throw new Error(`"{" without a field before it in: ${cell}`);
      parents.push(last);
    } else if (match[0] === '}') {
      parents.pop();
    } else {
      const token = /^([A-Za-z][A-Za-z0-9]*)(\[\])?(\?)?$/.exec(match[1]!);
      if (!token) throw new Error(`cannot read the field token \`${match[1]}\``);
      last = [...parents, token[1]].join('.');
      fields[last] = `${token[2] ?? ''}${token[3] ?? ''}`;
    }
  }
  return fields;
}

/** The same map computed from the generated JSON Schema of the payload. */
function schemaFields(schema: JsonSchema, prefix = ''): Record<string, string> {
  const fields: Record<string, string> = {};
  const required = new Set((schema['required'] as string[] | undefined) ?? []);
  for (const [name, property] of Object.entries(schema['properties'] as Record<string, JsonSchema>)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const isArray = property['type'] === 'array';
    fields[path] = `${isArray ? '[]' : ''}${required.has(name) ? '' : '?'}`;
    const nested = isArray ? (property['items'] as JsonSchema) : property;
    if (nested['type'] === 'object' && nested['properties']) Object.assign(fields, schemaFields(nested, path));
  }
  return fields;
}

describe('docs/events-catalogue.md', () => {
  const rows = catalogueRows(readFileSync(CATALOGUE_PATH, 'utf8'));

  it('lists every registered type exactly once, and nothing else', () => {
    const documented = rows.map((row) => row.type);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(registry.list().map((contract) => contract.type));
  });

  it('gives each type its subject, producer and aggregate id field', () => {
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const contract = registry.get(row.type);
      expect(row.subject, row.type).toBe(`\`${contract.domain}.{tenant}.${contract.name}\``);
      expect(row.producer, row.type).toBe(contract.producer);
      expect(row.aggregate, row.type).toBe(`\`${contract.subjectField}\` (${contract.aggregate})`);
    }
  });

  it('lists the payload fields of each type as the contract declares them', () => {
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(documentedFields(row.fields), row.type).toEqual(schemaFields(schemas[row.type]!));
    }
  });

  it('reads field lists the way the table explains them', () => {
    expect(documentedFields('`a`, `b[]?` { `c`, `d?` }, `e` { `f` }')).toEqual({ a: '', b: '[]?', 'b.c': '', 'b.d': '?', e: '', 'e.f': '' });
  });
});
