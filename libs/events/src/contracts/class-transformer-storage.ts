import { createRequire } from 'node:module';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';

/**
 * class-transformer's metadata (`@Type`, `@Transform`, `@Expose`, `@Exclude`). The package keeps
 * it in a module-level store that its entry point does not export; this is the same CommonJS
 * module instance its decorators write to (Node loads `class-transformer` as CommonJS).
 */
export const transformerStorage = createRequire(import.meta.url)('class-transformer/cjs/storage.js')
  .defaultMetadataStorage as MetadataStorage;
