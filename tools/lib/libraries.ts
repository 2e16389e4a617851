/**
 * The workspace libraries the tools use, loaded on first use: they take most of a second to
 * load, and help, typos and bad arguments need none of it. A missing or stale build is the one
 * failure every tool shares: one {@link UsageError} (exit 2) naming what is missing and the
 * command that builds it.
 */
import { UsageError } from './cli.js';

/** The generic events library, the platform's contracts and topology, and the operator library, as one object. */
export type EventsLibrary = typeof import('@platform/events') & typeof import('@platform/contracts') & typeof import('@platform/events-ops');

export const BUILD_LIBRARIES = 'npx tsc -b libs/events-ops/tsconfig.json';

let loaded: EventsLibrary | undefined;

/** Import a built module (a workspace package or a file URL), or throw a {@link UsageError} saying how to build it. */
export async function importBuilt<T = Record<string, unknown>>(specifier: string, build = BUILD_LIBRARIES, shown = specifier): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    throw new UsageError(`cannot load ${shown} (${error instanceof Error ? error.message : String(error)}); build it first: ${build}`);
  }
}

/** The three event libraries, merged into one object (loaded once). */
export async function loadEvents(): Promise<EventsLibrary> {
  if (!loaded) {
    const [events, contracts, ops] = await Promise.all([
      importBuilt<typeof import('@platform/events')>('@platform/events'),
      importBuilt<typeof import('@platform/contracts')>('@platform/contracts'),
      importBuilt<typeof import('@platform/events-ops')>('@platform/events-ops'),
    ]);
    loaded = { ...events, ...contracts, ...ops };
  }
  return loaded;
}

/** The libraries, once {@link loadEvents} has resolved. */
export function events(): EventsLibrary {
  if (!loaded) throw new Error('the events library is not loaded yet (await loadEvents() first)');
  return loaded;
}
