import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderContractDocuments, toStableJson } from './contract-documents.js';
import { createPlatformRegistry } from '@platform/contracts';

const registry = createPlatformRegistry();
const types = registry.list().map((contract) => contract.type);

describe('renderContractDocuments', () => {
  const files = renderContractDocuments(registry);

  it('renders asyncapi.json and one schema file per type, deterministically', () => {
    expect(Object.keys(files).sort()).toEqual(['asyncapi.json', ...types.map((type) => `schemas/${type}.json`)].sort());
    expect(renderContractDocuments(createPlatformRegistry())).toEqual(files);
    for (const content of Object.values(files)) expect(content.endsWith('}\n')).toBe(true);
  });

  it('sorts keys at every level and indents by two spaces', () => {
    expect(toStableJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{\n  "a": {\n    "c": null,\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });

  it('matches the checked-in docs/contracts (regenerate with `npm run asyncapi` after building the event libraries)', () => {
    const stale = Object.entries(files)
      .filter(([path, content]) => {
        try {
          return readFileSync(new URL(`../../../docs/contracts/${path}`, import.meta.url), 'utf8') !== content;
        } catch {
          return true;
        }
      })
      .map(([path]) => path);
    expect(stale).toEqual([]);
  });
});
