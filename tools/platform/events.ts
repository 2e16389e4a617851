/**
 * The events library, loaded on first use: it takes most of a second to load, and help, typos and
 * bad arguments need none of it. Verbs `await loadEvents()` once their arguments are parsed.
 */
export type EventsLibrary = typeof import('@platform/events');

let loaded: EventsLibrary | undefined;

export async function loadEvents(): Promise<EventsLibrary> {
  return (loaded ??= await import('@platform/events'));
}

/** The library, once {@link loadEvents} has resolved. */
export function events(): EventsLibrary {
  if (!loaded) throw new Error('the events library is not loaded yet (await loadEvents() first)');
  return loaded;
}
