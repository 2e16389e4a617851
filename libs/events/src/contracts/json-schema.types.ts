// The vocabulary of the generated payload schemas, shared by the generator's parts and the fast
// validator (PayloadValidator) that compiles them.

/** A JSON Schema (draft-07, the dialect AsyncAPI 3.0 schemas extend) as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

/**
 * Vendor keyword on a schema node that class-validator checks in a way JSON Schema cannot
 * express; its value lists what (`["isEmail"]`, `["name: @Transform changes the value …"]`).
 * JSON Schema tools ignore it. The registry's fast validator (ajv, see PayloadValidator) rejects
 * every value that reaches such a node, so that class-validator decides those payloads.
 */
export const CLASS_VALIDATOR_ONLY = 'x-class-validator-only';

/** How a nested class is referenced while one class is described; the references are inlined before a schema is returned. */
export const DEFINITIONS_PREFIX = '#/definitions/';
