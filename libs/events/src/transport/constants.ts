/** The `@EventPattern` extra that marks a batch handler (see `HandleEventBatch`). */
export const BATCH_HANDLER_EXTRA = 'jetstreamBatch';
