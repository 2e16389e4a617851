/**
 * Type OIDs that both engines read as JS numbers rather than strings: int8 and numeric, and arrays
 * of them (counts, bigserial ids, sequences, sums of integer cents all stay far below 2^53).
 */
export const NumericOid = { Int8: 20, Numeric: 1700, Int8Array: 1016, NumericArray: 1231 } as const;
export type NumericOid = (typeof NumericOid)[keyof typeof NumericOid];
