/** How much the delivery engine takes on at once, and its time-outs. */

/** Events one dispatch transaction claims. */
export const DISPATCH_BATCH = 200
/** Deliveries one claim takes. */
export const CLAIM_BATCH = 64
/** Calls in flight at once in one process. */
export const SEND_CONCURRENCY = 16
/** Added to a call's time-out for its lease: past it, another worker may take the delivery. */
export const LEASE_MARGIN_MILLIS = 30_000
/** Webhooks have no time-out of their own. */
export const WEBHOOK_TIMEOUT_MS = 10_000
/** A `runOnce` stops after this many claims, so it cannot spin forever. */
export const MAX_ROUNDS = 10_000
