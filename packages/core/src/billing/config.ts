import * as Context from "effect/Context"

/**
 * Customers per chunk: each chunk is one transaction of a fixed number of statements. Smaller
 * chunks keep the executors out of step (one in Node while the others are in the database) and
 * leave a shorter last chunk; 250 ran a tenth faster than 500 in bench/billing.
 */
export const CHUNK_SIZE = 250

/**
 * Chunks a run bills at once in one process: one builds its lines in Node while the others'
 * statements run in the database. The edge sets it (PROVISIO_BILLING_WORKERS); unset, 4, which ran
 * about a tenth faster than three in bench/billing.
 */
export class BillingWorkers extends Context.Reference<BillingWorkers>()("@provisio/core/BillingWorkers", {
  defaultValue: () => 4
}) {}

/**
 * How long a run's drafts wait for late usage before they finalize, in seconds, when the run does
 * not say. The edge sets it (PROVISIO_BILLING_GRACE_PERIOD); unset, 0: invoices are final at once.
 */
export class BillingGraceSeconds extends Context.Reference<BillingGraceSeconds>()("@provisio/core/BillingGraceSeconds", {
  defaultValue: () => 0
}) {}
