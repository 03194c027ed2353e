import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import { Invoice } from "../invoices/model.js"
import { InvoiceRepo } from "../invoices/ports.js"
import { makeApplyReceivedMoney } from "../payments/apply.js"
import type { PaymentId } from "../payments/model.js"
import { type NotFound, orNotFound, type PersistenceError } from "../shared/errors.js"
import type { AttemptOutcome, StoredAttempt } from "./collector-ports.js"
import { CollectorRepo } from "./collector-ports.js"
import { PaymentAttempt } from "./model.js"
import { effectiveRules, nextRetryAt } from "./policy.js"
import { DunningPolicyRepo } from "./ports.js"

/**
 * An attempt's outcome recorded, whoever learnt it (the collector from the gateway's answer, a
 * gateway's webhook later): the one place an attempt changes state, so each change happens once
 * whatever the order and however often the news arrives. The caller holds the attempt's lock.
 *
 * Transitions: `pending` -> `succeeded` | `failed` (| `pending` with the gateway's reference);
 * `failed` -> `succeeded` (money the gateway took after all is never left out); a `succeeded`
 * attempt never changes. Anything else leaves the attempt as it is (`unchanged`).
 */

/** How long an automatic charge whose outcome is unknown (the gateway unreachable) waits to be sent again under the same key. */
export const UNKNOWN_OUTCOME_RETRY = Duration.minutes(15)

/** What the gateway said, as the settlement reads it. */
export type AttemptNews =
  | { readonly status: "succeeded"; readonly reference: string }
  | { readonly status: "pending"; readonly reference: string }
  | {
    readonly status: "failed"
    readonly reason: string
    readonly decline_code: string | null
    readonly reference: string | null
  }
  | { readonly status: "unknown"; readonly reason: string }

export type Settled = "succeeded" | "failed" | "pending" | "unknown" | "unchanged"

const encodeAttempt = Schema.encode(PaymentAttempt)
const encodeInvoice = Schema.encode(Invoice)

export const makeSettleAttempt = Effect.gen(function* () {
  const repo = yield* CollectorRepo
  const invoices = yield* InvoiceRepo
  const policies = yield* DunningPolicyRepo
  const log = yield* EventLog
  const applyReceivedMoney = yield* makeApplyReceivedMoney

  const save = (attempt: StoredAttempt, outcome: Partial<AttemptOutcome>, at: DateTime.Utc) =>
    repo.saveAttempt(attempt.id, {
      status: outcome.status ?? attempt.status,
      decline_code: outcome.decline_code ?? null,
      failure_reason: outcome.failure_reason ?? null,
      gateway_reference: outcome.gateway_reference ?? attempt.gateway_reference,
      payment_id: outcome.payment_id ?? attempt.payment_id
    }, at)

  const succeeded = (attempt: StoredAttempt, reference: string, at: DateTime.Utc, paymentId?: PaymentId) =>
    Effect.gen(function* () {
      const applied = yield* applyReceivedMoney({
        payment_id: paymentId,
        invoice_id: attempt.invoice_id,
        amount: attempt.amount,
        gateway: attempt.gateway,
        reference,
        payment_method_id: attempt.payment_method_id,
        at
      })
      yield* save(attempt, { status: "succeeded", gateway_reference: reference, payment_id: applied.payment.id }, at)
      yield* repo.scheduleCharge(attempt.invoice_id, null, false, at)
      return "succeeded" as const
    })

  /**
   * A failure counted on the invoice, the next try set from the customer's effective dunning
   * policy (`retry_days` after the invoice's first failure; none once they are used up, or when
   * the invoice is no longer collected automatically or owes nothing), and `payment.failed`.
   */
  const failed = (
    attempt: StoredAttempt,
    news: Extract<AttemptNews, { status: "failed" }>,
    at: DateTime.Utc
  ) =>
    Effect.gen(function* () {
      const locked = yield* invoices.lock(attempt.invoice_id).pipe(orNotFound("invoice", attempt.invoice_id))
      const state = yield* repo.chargeState(attempt.invoice_id)
      yield* save(attempt, {
        status: "failed",
        decline_code: news.decline_code,
        failure_reason: news.reason,
        gateway_reference: news.reference
      }, at)
      const invoice = locked.invoice
      const failures = state.charge_failures + 1
      const first = state.first_failure_at ?? attempt.created_at
      const open = invoice.status === "finalized" && BigDecimal.isPositive(invoice.amount_due.amount) &&
        invoice.collection_method === "charge_automatically"
      const rules = effectiveRules(yield* policies.nearest(locked.lineage))
      const nextMillis = open ? nextRetryAt(rules, DateTime.toEpochMillis(first), failures) : null
      const next = nextMillis === null ? null : DateTime.unsafeMake(nextMillis)
      yield* repo.scheduleCharge(attempt.invoice_id, next, true, at)

      const after = yield* invoices.findById(attempt.invoice_id).pipe(orNotFound("invoice", attempt.invoice_id))
      const encoded = yield* Effect.orDie(encodeAttempt(new PaymentAttempt({
        id: attempt.id,
        gateway: attempt.gateway,
        status: "failed",
        decline_code: news.decline_code,
        amount: attempt.amount,
        at: attempt.created_at
      })))
      yield* log.append([
        yield* newEvent("payment.failed", { customer_id: attempt.customer_id, lineage: attempt.lineage }, {
          invoice: yield* Effect.orDie(encodeInvoice(after.invoice)),
          attempt: { ...encoded, failure_reason: news.reason },
          next_retry_at: next === null ? null : DateTime.formatIso(next)
        })
      ])
      return "failed" as const
    })

  /** Records `news` on the locked `attempt` at `at`; `paymentId` names the payment a success makes. */
  const settle = (
    attempt: StoredAttempt,
    news: AttemptNews,
    at: DateTime.Utc,
    paymentId?: PaymentId
  ): Effect.Effect<Settled, NotFound | PersistenceError> => {
    if (attempt.status === "succeeded") return Effect.succeed("unchanged")
    if (news.status === "succeeded") return succeeded(attempt, news.reference, at, paymentId)
    if (attempt.status === "failed") return Effect.succeed("unchanged")
    switch (news.status) {
      case "failed":
        return failed(attempt, news, at)
      case "pending":
        // The gateway's webhook settles it; the invoice leaves the queue meanwhile.
        return Effect.as(
          Effect.zipRight(
            save(attempt, { gateway_reference: news.reference }, at),
            repo.scheduleCharge(attempt.invoice_id, null, false, at)
          ),
          "pending" as const
        )
      case "unknown":
        // Sent again later under the same id (the same charge for the gateway), unless a webhook settles it first.
        return Effect.as(
          Effect.zipRight(
            save(attempt, { failure_reason: news.reason }, at),
            repo.scheduleCharge(attempt.invoice_id, DateTime.addDuration(at, UNKNOWN_OUTCOME_RETRY), false, at)
          ),
          "unknown" as const
        )
    }
  }

  return settle
})

/** The attempt by our id, else by the gateway's reference; locked. */
export const lockAttemptFor = (
  repo: CollectorRepo["Type"],
  gateway: string,
  attemptId: string | null,
  reference: string | null
) =>
  Effect.gen(function* () {
    if (attemptId !== null) {
      const found = yield* repo.lockAttempt(attemptId)
      if (Option.isSome(found)) return found
    }
    return reference === null ? Option.none<StoredAttempt>() : yield* repo.lockAttemptByReference(gateway, reference)
  })
