import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type { StoredEvent } from "../events/model.js"
import { subscriptionEvent } from "./events.js"
import { type DueOutcome, dueStep } from "./lifecycle.js"
import { DueRun, type StoredSubscription, Subscription } from "./model.js"
import { now } from "../shared/time.js"
import type { SubscriptionsContext } from "./context.js"

/** Subscriptions the scheduler claims in one transaction. */
export const DUE_BATCH = 50

/** A run stops after this many batches, so a bug that leaves a subscription due cannot spin forever. */
const MAX_BATCHES = 10_000

/** The scheduler's part of subscriptions: renewals, expiries and end-of-period cancellations when due. */
export const makeScheduler = ({ subscriptions, transactor, write, endAddons }: SubscriptionsContext) => {
  /** Every end of period of one claimed subscription up to `at`, with the events; then its add-ons if it ended. */
  const processDue = (claimed: StoredSubscription, at: DateTime.Utc, written: DateTime.Utc) =>
    Effect.gen(function* () {
      const counts: Record<DueOutcome, number> = { renewed: 0, expired: 0, cancelled: 0 }
      let stored = claimed
      const events: Array<StoredEvent> = []
      // A scheduler that was not running catches up one period at a time, one event each.
      for (let step = dueStep(stored, at); step !== undefined; step = dueStep(stored, at)) {
        const previous = stored.subscription
        stored = { ...step.stored, subscription: new Subscription({ ...step.stored.subscription, updated_at: written }) }
        counts[step.outcome]++
        events.push(
          yield* subscriptionEvent(`subscription.${step.outcome}`, stored, {
            period: { start: DateTime.formatIso(previous.current_period_start), end: DateTime.formatIso(previous.current_period_end) }
          })
        )
      }
      yield* write(stored, events)
      const status = stored.subscription.status
      if (status === "cancelled" || status === "expired") {
        const ended = yield* endAddons(stored, status, stored.subscription.cancelled_at ?? stored.subscription.expired_at!, written)
        counts[status] += ended
      }
      return counts
    })

  /**
   * Renewals, expiries and end-of-period cancellations due at `at` (the clock's time when not
   * given), in batches of `DUE_BATCH`, each batch one transaction. Any number of processes may
   * run it at once: the storage hands each due subscription to exactly one of them.
   */
  const runDue = (at?: DateTime.Utc) =>
    Effect.gen(function* () {
      const until = at ?? (yield* now)
      const totals = { renewed: 0, expired: 0, cancelled: 0 }
      for (let batch = 0; batch < MAX_BATCHES; batch++) {
        // Counted once the batch's transaction has committed.
        const done = yield* transactor.withTransaction(Effect.gen(function* () {
          const due = yield* subscriptions.claimDue(until, DUE_BATCH)
          const written = yield* now
          const counts = { renewed: 0, expired: 0, cancelled: 0 }
          for (const stored of due) {
            const one = yield* processDue(stored, until, written)
            counts.renewed += one.renewed
            counts.expired += one.expired
            counts.cancelled += one.cancelled
          }
          return { claimed: due.length, counts }
        }))
        totals.renewed += done.counts.renewed
        totals.expired += done.counts.expired
        totals.cancelled += done.counts.cancelled
        if (done.claimed === 0) break
      }
      return new DueRun(totals)
    }).pipe(Effect.withSpan("Subscriptions.runDue"))

  return { runDue }
}
