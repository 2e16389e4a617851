import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

const POOL_SIZE = 16 * 256;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;
const state = { msecs: Number.NEGATIVE_INFINITY, seq: 0 };

/**
 * A new UUIDv7 event id: time-ordered (monotonic within this process, even within one
 * millisecond, as RFC 9562 method 1 describes) and random in its remaining bits.
 * Same ids as `uuid`'s `v7()`, but random bytes come from a pool filled 256 ids at a time:
 * one system call per id was three quarters of the cost of building an envelope.
 */
export function newEventId(): string {
  if (poolOffset + 16 > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const random = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  const now = Date.now();
  if (now > state.msecs) {
    // uuid's v7 seeds the 31-bit counter from random bytes 6–9 at each new millisecond.
    state.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    state.msecs = now;
  } else {
    state.seq = (state.seq + 1) | 0;
    if (state.seq === 0) state.msecs++;
  }
  return uuidv7({ random, msecs: state.msecs, seq: state.seq });
}
