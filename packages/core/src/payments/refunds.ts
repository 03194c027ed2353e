import * as BigDecimal from "effect/BigDecimal"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireAdmin, requireKind } from "../identity/policy.js"
import { InvoiceRepo } from "../invoices/ports.js"
import { InvalidState, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { amountToMoveProblem, formatAmount, type Money, money, roundToMinorUnit } from "../shared/money.js"
import { now } from "../shared/time.js"
import { Transactor } from "../shared/transactor.js"
import { PaymentGateway, PaymentRepo } from "./ports.js"
import { makeApplyRefund } from "./refunds-apply.js"
import { Refund, type RefundId, type RefundPayment, type StoredRefund } from "./refunds-model.js"
import { RefundRepo } from "./refunds-ports.js"
import { makeRefundRoom, roomTotal, sumCredit } from "./refunds-room.js"

/**
 * `POST /payments/{id}/refund`: money of a succeeded payment given back through the gateway that
 * took it, the issuer's side only (admins of the platform, a distributor or a partner).
 * 1. reserve, under the payment's lock: the amount checked against what is left of the payment
 *    (its refunds that did not fail counted), then under the invoice's lock against what it can
 *    take (refunds-room.ts: never crediting the invoice past its gross), and the refund stored
 *    `pending`, committed BEFORE the gateway is called, so two refunds at once cannot give back
 *    more than was paid, and a webhook arriving first finds it;
 * 2. the gateway refunds, outside any transaction, our refund's id as the idempotency key;
 * 3. record: succeeded -> refunds-apply.ts (credit note, ledger, events); pending -> the
 *    webhook settles it; failed -> kept as failed, and the caller gets 409.
 */

/** Accounts that issue invoices, or sit above those that do: they give money back. */
const ISSUERS = ["platform", "distributor", "partner"] as const

const zero = BigDecimal.fromBigInt(0n)
const total = (refunds: ReadonlyArray<StoredRefund>) =>
  refunds
    .filter((r) => r.refund.status !== "failed")
    .reduce((sum, r) => BigDecimal.sum(sum, r.refund.amount.amount), zero)

export const make = Effect.gen(function* () {
  const repo = yield* RefundRepo
  const payments = yield* PaymentRepo
  const invoices = yield* InvoiceRepo
  const gateway = yield* PaymentGateway
  const transactor = yield* Transactor
  const applyRefund = yield* makeApplyRefund
  const room = yield* makeRefundRoom

  /** The amount asked for, checked on its own: positive, the payment's currency, its digits. */
  const requested = (amount: Money | undefined, paid: Money) =>
    Effect.gen(function* () {
      if (amount === undefined) return null
      if (amount.currency !== paid.currency) {
        return yield* ValidationError.of("amount.currency", `must be the payment's currency, ${paid.currency}`)
      }
      const problem = amountToMoveProblem(amount.amount, amount.currency)
      if (problem !== undefined) return yield* ValidationError.of("amount.amount", problem)
      return roundToMinorUnit(amount.amount, amount.currency)
    })

  const reserve = (paymentId: string, asked: BigDecimal.BigDecimal | null) =>
    transactor.withTransaction(Effect.gen(function* () {
      const stored = yield* repo.lockPayment(paymentId).pipe(orNotFound("payment", paymentId))
      const payment = stored.payment
      const currency = payment.amount.currency
      const refunds = yield* repo.refundsOf(payment.id)
      const left = BigDecimal.subtract(payment.amount.amount, total(refunds))
      if (!BigDecimal.isPositive(left)) {
        return yield* new InvalidState({ message: `payment ${payment.id} is refunded in full already` })
      }
      const amount = asked ?? left
      if (BigDecimal.greaterThan(amount, left)) {
        return yield* ValidationError.of(
          "amount",
          `is more than is left to refund of payment ${payment.id}: ${formatAmount(left, currency)} ${currency} ` +
            `(${formatAmount(payment.amount.amount, currency)} paid, ${formatAmount(total(refunds), currency)} refunded)`
        )
      }
      // The invoice's lock (after the payment's, as when a refund is applied): a credit note or a
      // refund of another payment on it at once waits, then sees this one pending.
      const invoice = yield* invoices.lock(payment.invoice_id).pipe(orNotFound("invoice", payment.invoice_id))
      const space = yield* room(payment.id, invoice.invoice)
      if (invoice.invoice.status === "void") {
        // A void invoice has nothing to take a refund off: only the credit its payments left can go back.
        const unspent = sumCredit(space.unspent)
        if (BigDecimal.greaterThan(amount, unspent)) {
          return yield* new InvalidState({
            message: `invoice ${payment.invoice_id} is void and what was paid on it is spent as credit but ` +
              `${formatAmount(unspent, currency)} ${currency}: no more can be refunded`
          })
        }
      } else {
        // Never more than the invoice has left to credit and the credit its notes gave the customer,
        // less the refunds pending on it: the money went to that credit, which was spent.
        const pending = yield* repo.pendingOn(invoice.invoice.id)
        const most = BigDecimal.max(BigDecimal.subtract(roomTotal(space), pending), zero)
        if (BigDecimal.greaterThan(amount, most)) {
          const f = (n: BigDecimal.BigDecimal) => `${formatAmount(n, currency)} ${currency}`
          return yield* ValidationError.of(
            "amount",
            `is more than can be given back of payment ${payment.id}: ${f(most)}, as invoice ` +
              `${invoice.invoice.number ?? invoice.invoice.id} has ${f(space.left)} left to credit (gross) and its credit notes ` +
              `left ${f(sumCredit(space.invoiceCredit))} of customer credit unspent` +
              (BigDecimal.isPositive(sumCredit(space.unspent)) ? `, the payment ${f(sumCredit(space.unspent))} of unspent credit` : "") +
              (BigDecimal.isPositive(pending) ? `, less ${f(pending)} of refunds pending` : "") +
              "; an invoice is never credited past its total"
          )
        }
      }
      const at = yield* now
      const refund: StoredRefund = {
        refund: new Refund({
          id: (yield* makeId("ref")) as RefundId,
          payment_id: payment.id,
          invoice_id: payment.invoice_id,
          customer_id: payment.customer_id,
          amount: money(amount, currency),
          status: "pending",
          gateway_reference: null,
          failure_reason: null,
          credit_note_id: null,
          created_at: at,
          updated_at: at
        }),
        lineage: stored.lineage,
        gateway: payment.gateway
      }
      yield* repo.insertRefund(refund)
      return { refund, payment: stored }
    }))

  const refund = Effect.fn("Refunds.refund")(function* (principal: Principal, paymentId: string, input: RefundPayment | null) {
    const found = yield* payments.findPayment(paymentId).pipe(reachableBy(principal, "payment", paymentId))
    yield* requireKind(principal, ISSUERS, "refund payments")
    yield* requireAdmin(principal)
    if (found.payment.status !== "succeeded") {
      return yield* new InvalidState({ message: `payment ${paymentId} failed: nothing was taken to refund` })
    }
    const asked = yield* requested(input?.amount, found.payment.amount)
    const reserved = yield* reserve(paymentId, asked)
    const pending = reserved.refund.refund

    const result = yield* gateway.refund({
      refund_id: pending.id,
      payment_id: pending.payment_id,
      gateway: reserved.refund.gateway,
      reference: reserved.payment.payment.gateway_reference,
      amount: pending.amount
    })
    const at = yield* now
    const done = yield* transactor.withTransaction(Effect.gen(function* () {
      const payment = yield* repo.lockPayment(paymentId).pipe(orNotFound("payment", paymentId))
      const current = (yield* repo.refundsOf(paymentId)).find((r) => r.refund.id === pending.id)
      // A webhook that came first settled it already.
      if (current === undefined || current.refund.status !== "pending") return Option.fromNullable(current?.refund)
      switch (result.status) {
        case "succeeded":
          return Option.some(yield* applyRefund(current, payment, result.reference, at))
        case "pending": {
          const reference = result.reference ?? current.refund.gateway_reference
          yield* repo.saveRefund(pending.id, { status: "pending", gateway_reference: reference, failure_reason: result.reason ?? null, credit_note_id: null }, at)
          return Option.some(new Refund({ ...current.refund, gateway_reference: reference, failure_reason: result.reason ?? null, updated_at: at }))
        }
        case "failed":
          yield* repo.saveRefund(pending.id, { status: "failed", gateway_reference: null, failure_reason: result.reason, credit_note_id: null }, at)
          return Option.some(new Refund({ ...current.refund, status: "failed", failure_reason: result.reason, updated_at: at }))
      }
    }))
    const answer = Option.getOrElse(done, () => pending)
    if (answer.status === "failed") {
      return yield* new InvalidState({ message: `refund ${answer.id} failed: ${answer.failure_reason ?? "refused by the gateway"}` })
    }
    return answer
  })

  return { refund } as const
})

export class Refunds extends Context.Tag("@provisio/core/Refunds")<Refunds, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Refunds, make)
}
