// The tools run on the built workspace (dist/). A missing or stale build is the one failure they
// share: one message, exit 2, with the command that builds what is missing.

/**
 * Import a built workspace package, or exit 2 naming the tool, the package and how to build it.
 * @param {string} tool the tool's name, the prefix of the message (e.g. `provision`)
 * @param {string} [specifier] the package (default `@platform/events`)
 * @param {string} [build] the command that builds it (default: the events library only)
 */
export async function importBuilt(tool, specifier = '@platform/events', build = 'npx tsc -b libs/events/tsconfig.json') {
  try {
    return await import(specifier);
  } catch (error) {
    console.error(`${tool}: cannot load ${specifier} (${error instanceof Error ? error.message : String(error)}); build it first: ${build}`);
    process.exit(2);
  }
}
