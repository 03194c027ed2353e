import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { PaymentId } from "../payments/model.js"
import { type ChargeResult, PaymentGateway } from "../payments/ports.js"
import { makeId, makeIds } from "../shared/ids.js"
import { now } from "../shared/time.js"
import { Transactor } from "../shared/transactor.js"
import { type ClaimedCharge, CollectorRepo } from "./collector-ports.js"
import { type AttemptNews, makeSettleAttempt, type Settled } from "./collector-settle.js"
import type { PaymentAttemptId } from "./model.js"

/**
 * The collector: automatic charges of finalized invoices (`collection_method`
 * `charge_automatically`), as finalization queues them (`invoices.next_charge_at`) and failures
 * reschedule them. For each invoice due:
 * 1. claim, in a short transaction of its own: the invoice leased (`CLAIM_LEASE`) and a `pending`
 *    attempt (`pat_`) stored, both committed BEFORE the gateway is called;
 * 2. charge the customer's default payment method through the gateway, outside any transaction,
 *    the attempt's id as the idempotency key;
 * 3. record the outcome in one transaction (collector-settle.ts).
 * A collector that dies between 1 and 3 leaves the invoice leased and its attempt pending with no
 * gateway reference: once the lease ends, a collector claims it again and sends the same attempt,
 * which the gateway answers as the same charge. Any number of collectors may run at once.
 */

/** Invoices one claim takes. */
export const COLLECT_BATCH = 20
/** How long a claimed invoice is held for its collector. */
export const CLAIM_LEASE = Duration.minutes(10)
/** Charges of a batch sent at once. */
const CHARGES_AT_ONCE = 4
/** A run stops after this many claims, so a bug that leaves an invoice due cannot spin forever. */
const MAX_BATCHES = 1_000

export interface CollectRun {
  readonly claimed: number
  readonly succeeded: number
  readonly failed: number
  readonly pending: number
  readonly unknown: number
}

const newsOf = (result: ChargeResult): AttemptNews => {
  switch (result.status) {
    case "succeeded":
    case "pending":
      return { status: result.status, reference: result.reference }
    case "failed":
      return { status: "failed", reason: result.reason, decline_code: result.decline_code ?? null, reference: result.reference ?? null }
    case "unknown":
      return { status: "unknown", reason: result.reason }
  }
}

export const make = Effect.gen(function* () {
  const repo = yield* CollectorRepo
  const gateway = yield* PaymentGateway
  const transactor = yield* Transactor
  const settle = yield* makeSettleAttempt

  const claim = (at: DateTime.Utc) =>
    transactor.withTransaction(Effect.gen(function* () {
      const due = yield* repo.claimDue(at, DateTime.addDuration(at, CLAIM_LEASE), COLLECT_BATCH)
      const ids = (yield* makeIds("pat", due.filter((d) => d.attempt_in_flight === null).length)) as Array<PaymentAttemptId>
      const claimed: Array<ClaimedCharge> = due.map((d) => ({ ...d, attempt_id: d.attempt_in_flight ?? ids.shift()! }))
      yield* repo.insertAttempts(
        claimed.filter((c) => c.attempt_in_flight === null).map((c) => ({
          id: c.attempt_id,
          invoice_id: c.invoice_id,
          customer_id: c.customer_id,
          lineage: c.lineage,
          gateway: c.payment_method.gateway,
          payment_method_id: c.payment_method.id,
          amount: c.amount,
          gateway_reference: null,
          failure_reason: null
        })),
        at
      )
      return claimed
    }))

  const charge = (claimed: ClaimedCharge) =>
    Effect.gen(function* () {
      const paymentId = (yield* makeId("pay")) as PaymentId
      const result = yield* gateway.charge({
        payment_id: paymentId,
        idempotency_key: claimed.attempt_id,
        invoice_id: claimed.invoice_id,
        attempt_id: claimed.attempt_id,
        customer_id: claimed.customer_id,
        amount: claimed.amount,
        payment_method: claimed.payment_method,
        description: `Invoice ${claimed.invoice_number ?? claimed.invoice_id}`
      })
      const at = yield* now
      return yield* transactor.withTransaction(Effect.gen(function* () {
        const attempt = yield* repo.lockAttempt(claimed.attempt_id)
        if (Option.isNone(attempt)) return "unchanged" as Settled
        return yield* settle(attempt.value, newsOf(result), at, paymentId)
      }))
    }).pipe(
      // One charge whose outcome cannot be written is left to the lease: the rest go on.
      Effect.catchAllCause((cause) =>
        Effect.as(Effect.logError("collector: recording a charge failed", { attempt: claimed.attempt_id }, cause), "unchanged" as Settled)
      )
    )

  /**
   * Every automatic charge due at `at` (the clock's time when not given), claimed in batches of
   * `COLLECT_BATCH`, `CHARGES_AT_ONCE` charges in flight. Answers what came of them.
   */
  const collectDue = (at?: DateTime.Utc) =>
    Effect.gen(function* () {
      const until = at ?? (yield* now)
      const run = { claimed: 0, succeeded: 0, failed: 0, pending: 0, unknown: 0 }
      for (let batch = 0; batch < MAX_BATCHES; batch++) {
        const claimed = yield* claim(until)
        if (claimed.length === 0) break
        run.claimed += claimed.length
        const outcomes = yield* Effect.forEach(claimed, charge, { concurrency: CHARGES_AT_ONCE })
        for (const outcome of outcomes) if (outcome !== "unchanged") run[outcome]++
      }
      return run satisfies CollectRun
    }).pipe(Effect.withSpan("Collector.collectDue"))

  return { collectDue } as const
})

/** The collector as a service: `Workers.layer` runs `collectDue` on its interval; tests call it once. */
export class Collector extends Context.Tag("@provisio/core/Collector")<Collector, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Collector, make)
}
