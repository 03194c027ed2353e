import * as BigDecimal from "effect/BigDecimal"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { NotFound, PersistenceError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { type Money, money } from "../shared/money.js"
import { makeApplyRefund } from "./refunds-apply.js"
import { Refund, type RefundId, type StoredRefund } from "./refunds-model.js"
import { RefundRepo } from "./refunds-ports.js"

/**
 * A gateway saying how much of a charge it has refunded in all (Stripe's `charge.refunded`),
 * brought into the books once, whatever the order and however often it says so: under the
 * payment's lock, our pending refunds that the total covers are settled (oldest first), and what
 * the total holds beyond every refund we know of (made in the provider's dashboard) becomes a
 * refund of its own. A total we already account for changes nothing.
 */

export type GatewayRefundsSettled = "processed" | "unchanged" | "unmatched"

const sum = (refunds: ReadonlyArray<StoredRefund>) =>
  refunds.reduce((total, r) => BigDecimal.sum(total, r.refund.amount.amount), BigDecimal.fromBigInt(0n))

export const makeSettleGatewayRefunds = Effect.gen(function* () {
  const repo = yield* RefundRepo
  const applyRefund = yield* makeApplyRefund

  return (
    gateway: string,
    reference: string,
    refunded: Money,
    refundReference: string | null,
    at: DateTime.Utc
  ): Effect.Effect<GatewayRefundsSettled, NotFound | PersistenceError> =>
    Effect.gen(function* () {
      const found = yield* repo.lockPaymentByReference(gateway, reference)
      if (Option.isNone(found)) return "unmatched"
      const payment = found.value
      if (payment.payment.amount.currency !== refunded.currency) return "unmatched"
      const refunds = yield* repo.refundsOf(payment.payment.id)
      // Never more than the payment, whatever the gateway claims.
      const total = BigDecimal.min(refunded.amount, payment.payment.amount.amount)
      let known = sum(refunds.filter((r) => r.refund.status === "succeeded"))
      let changed = false
      const pending = refunds.filter((r) => r.refund.status === "pending")
      const unsettled: Array<StoredRefund> = []
      for (const stored of pending) {
        const covered = BigDecimal.sum(known, stored.refund.amount.amount)
        if (BigDecimal.lessThanOrEqualTo(covered, total)) {
          yield* applyRefund(stored, payment, stored.refund.gateway_reference, at)
          known = covered
          changed = true
        } else {
          unsettled.push(stored)
        }
      }
      const rest = BigDecimal.subtract(BigDecimal.subtract(total, known), sum(unsettled))
      if (BigDecimal.isPositive(rest)) {
        const taken = refunds.some((r) => r.refund.gateway_reference === refundReference)
        const stored: StoredRefund = {
          refund: new Refund({
            id: (yield* makeId("ref")) as RefundId,
            payment_id: payment.payment.id,
            invoice_id: payment.payment.invoice_id,
            customer_id: payment.payment.customer_id,
            amount: money(rest, refunded.currency),
            status: "pending",
            gateway_reference: taken ? null : refundReference,
            failure_reason: null,
            credit_note_id: null,
            created_at: at,
            updated_at: at
          }),
          lineage: payment.lineage,
          gateway
        }
        yield* repo.insertRefund(stored)
        yield* applyRefund(stored, payment, stored.refund.gateway_reference, at)
        changed = true
      }
      return changed ? "processed" : "unchanged"
    })
})
