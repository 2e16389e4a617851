// What the schema specs share: a search through a generated JSON tree.

/** Every value of `key` anywhere in a JSON tree. */
export function collect(tree: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(tree)) for (const item of tree) collect(item, key, found);
  else if (typeof tree === 'object' && tree !== null) {
    for (const [k, v] of Object.entries(tree)) {
      if (k === key) found.push(v);
      collect(v, key, found);
    }
  }
  return found;
}
