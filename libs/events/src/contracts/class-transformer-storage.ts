import { createRequire } from 'node:module';
import type { ExcludeMetadata, ExposeMetadata, TransformationType, TransformMetadata, TypeMetadata } from 'class-transformer';
import type { PayloadClass } from './define-event.js';

// A private read of class-transformer, kept to this file. The JSON Schema generator must know
// what class-transformer does to a payload before class-validator sees it (@Type, @Transform,
// @Expose, @Exclude), and class-transformer keeps that only in a module-level store that its
// entry point does not export: 0.5.1, its latest release, has no `exports` map and no accessor,
// and its maintainers keep the store internal on purpose (typestack/class-transformer#487, won't
// fix; #563). class-validator-jsonschema's `classTransformerMetadataStorage` option is no way
// round it: it takes this same store, which its README reaches by this same path. The version is
// pinned (package.json), and the schema specs fail if the store read here is not the one the
// decorators write to.

/** What the generator reads of class-transformer's store, in its public metadata types. */
export interface TransformerMetadata {
  findTypeMetadata(target: PayloadClass, propertyName: string): TypeMetadata | undefined;
  findTransformMetadatas(target: PayloadClass, propertyName: string, transformationType: TransformationType): TransformMetadata[];
  getStrategy(target: PayloadClass): 'excludeAll' | 'exposeAll' | 'none';
  getExposedMetadatas(target: PayloadClass): ExposeMetadata[];
  getExcludedMetadatas(target: PayloadClass): ExcludeMetadata[];
}

/**
 * class-transformer's metadata store: the same CommonJS module instance its decorators write to
 * (Node loads `class-transformer` as CommonJS).
 */
export const transformerStorage = createRequire(import.meta.url)('class-transformer/cjs/storage.js').defaultMetadataStorage as TransformerMetadata;
