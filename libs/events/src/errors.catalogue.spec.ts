import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, EventsError } from './errors.js';
import * as library from './index.js';

// docs/events-library.md "Error codes": one row per error class, `| `Class` | `CODE` | path |`.
const doc = readFileSync(new URL('../../../docs/events-library.md', import.meta.url), 'utf8');
const section = doc.slice(doc.indexOf('## Error codes'), doc.indexOf('\n## ', doc.indexOf('## Error codes') + 1));
const documented = [...section.matchAll(/^\| `([A-Za-z]+Error)` \| `(EVT_[A-Z_]+)` \|/gm)].map((m) => ({ name: m[1]!, code: m[2]! }));

type ErrorClass = new (...args: unknown[]) => EventsError;
const exportedErrorClasses = (Object.entries(library) as Array<[string, unknown]>).filter(
  (entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && (entry[1] as { prototype?: unknown }).prototype instanceof EventsError,
);

describe('error catalogue (docs/events-library.md)', () => {
  it('documents every error code once, and no code that does not exist', () => {
    expect(documented.map((row) => row.code).sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it('documents every exported error class with the code it has, and no class that is not exported', () => {
    const actual = exportedErrorClasses.map(([name, cls]) => ({ name, code: new cls('x', []).code }));
    expect([...documented].sort((a, b) => a.name.localeCompare(b.name))).toEqual(actual.sort((a, b) => a.name.localeCompare(b.name)));
  });
});
