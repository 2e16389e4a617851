// The CLI's libraries are the tools' (tools/lib/libraries.ts): one loader, one "build it first" message.
export { events, loadEvents, type EventsLibrary } from '../lib/libraries.js';
