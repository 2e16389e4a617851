// The tools run on the built workspace (dist/). A missing or stale build is the one failure they
// share: one message, exit 2, with the command that builds what is missing.

/** The libraries the tools use by default: generic events, the platform's contracts, operator tooling. */
const LIBRARIES = ['@platform/events', '@platform/contracts', '@platform/events-ops'];

/**
 * Import a built workspace package, or exit 2 naming the tool, the package and how to build it.
 * @param {string} tool the tool's name, the prefix of the message (e.g. `provision`)
 * @param {string} [specifier] the package (default: the three event libraries, merged into one object)
 * @param {string} [build] the command that builds it (default: the event libraries only)
 */
export async function importBuilt(tool, specifier, build = 'npx tsc -b libs/events-ops/tsconfig.json') {
  try {
    if (specifier) return await import(specifier);
    return Object.assign({}, ...(await Promise.all(LIBRARIES.map((library) => import(library)))));
  } catch (error) {
    console.error(`${tool}: cannot load ${specifier ?? LIBRARIES.join(', ')} (${error instanceof Error ? error.message : String(error)}); build it first: ${build}`);
    process.exit(2);
  }
}
