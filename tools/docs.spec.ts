import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// README.md is where a user looks first: its configuration table, its layout and its list of
// documents must cover what the repository has (and .env.example every key of that table).

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const readme = read('README.md');

/** The keys named in the first cell of README's configuration table rows (`| `KEY`, `KEY2` | …`). */
function readmeConfigKeys(): string[] {
  const keys = new Set<string>();
  for (const line of readme.split('\n')) {
    if (!/^\| `[A-Z][A-Z0-9_]+`/.test(line)) continue;
    for (const match of line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) keys.add(match[1]!);
  }
  return [...keys].sort();
}

/** Keys of .env.example, set or commented out (`KEY=…` or `# KEY=…`). */
function envExampleKeys(): string[] {
  return [...new Set([...read('.env.example').matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!))].sort();
}

const section = (title: string) => {
  const start = readme.indexOf(`## ${title}`);
  expect(start, `README has a "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
};

describe('README and .env.example', () => {
  it('.env.example has every key of the README configuration table, and nothing the table lacks', () => {
    const documented = readmeConfigKeys();
    expect(documented.length).toBeGreaterThan(40);
    expect(envExampleKeys()).toEqual(documented);
  });

  it('the layout names every top-level folder and every library', () => {
    const layout = section('Layout');
    const folders = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !['node_modules', 'dist', 'coverage'].includes(entry.name))
      .map((entry) => `${entry.name}/`);
    const libraries = readdirSync(join(root, 'libs')).map((name) => `libs/${name}`);
    expect([...folders, ...libraries].filter((name) => !layout.includes(name))).toEqual([]);
  });

  it('the documentation list links every document under docs/', () => {
    const list = section('Documentation');
    const documents = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'));
    expect(documents.length).toBeGreaterThan(10);
    expect(documents.filter((name) => !list.includes(`](docs/${name})`))).toEqual([]);
  });
});
