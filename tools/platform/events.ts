/**
 * The libraries, loaded on first use: they take most of a second to load, and help, typos and
 * bad arguments need none of it. Verbs `await loadEvents()` once their arguments are parsed, then
 * take what they need from one object: the generic events library, the platform's contracts and
 * topology, and the operator library.
 */
export type EventsLibrary = typeof import('@platform/events') & typeof import('@platform/contracts') & typeof import('@platform/events-ops');

let loaded: EventsLibrary | undefined;

export async function loadEvents(): Promise<EventsLibrary> {
  if (!loaded) {
    const [events, contracts, ops] = await Promise.all([import('@platform/events'), import('@platform/contracts'), import('@platform/events-ops')]);
    loaded = { ...events, ...contracts, ...ops };
  }
  return loaded;
}

/** The libraries, once {@link loadEvents} has resolved. */
export function events(): EventsLibrary {
  if (!loaded) throw new Error('the events library is not loaded yet (await loadEvents() first)');
  return loaded;
}
