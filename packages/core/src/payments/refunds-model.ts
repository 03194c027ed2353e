import * as Schema from "effect/Schema"
import { prefixedId } from "../shared/ids.js"
import { Money } from "../shared/money.js"
import { refusedField } from "../shared/read-only.js"
import { Timestamp } from "../shared/time.js"

/**
 * Refunds (`ref_`): money of a succeeded payment given back through the gateway that took it,
 * with a credit note of source `refund` against the payment's invoice (payments/refunds-apply.ts).
 */

export const RefundId = prefixedId("ref", "RefundId")
export type RefundId = typeof RefundId.Type

/**
 * `pending`: asked of the gateway, not confirmed yet (its webhook settles it); `succeeded`: the
 * money is on its way back and the credit note made; `failed`: the gateway refused, nothing moved.
 */
export const RefundStatus = Schema.Literal("pending", "succeeded", "failed")
export type RefundStatus = typeof RefundStatus.Type

export class Refund extends Schema.Class<Refund>("Refund")({
  id: RefundId,
  payment_id: Schema.String,
  invoice_id: Schema.String,
  customer_id: Schema.String,
  /** Gross, in the payment's currency. */
  amount: Money,
  status: RefundStatus,
  /** The gateway's id for the refund (`manual-ref_...` for money given back by hand); null until known. */
  gateway_reference: Schema.NullOr(Schema.String),
  /** Why the gateway refused; null unless failed. */
  failure_reason: Schema.NullOr(Schema.String),
  /**
   * The credit note (source `refund`) that takes the amount off the invoice; null while pending, or
   * when it all came out of customer credit (the payment's unspent credit, or what the invoice's own
   * credit notes gave once it had nothing left to credit).
   */
  credit_note_id: Schema.NullOr(Schema.String),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class RefundPayment extends Schema.Class<RefundPayment>("RefundPayment")({
  /** Gross, positive, in the payment's currency; at most what is left of the payment. The whole rest when left out. */
  amount: Schema.optional(Money),
  /** A refund keeps no reason: sent (as to Stripe), it is 422 rather than dropped unseen. */
  reason: refusedField(
    "a refund records no reason; its credit note names the refund, the payment and the invoice " +
      "(POST /invoices/{invoiceId}/credit-notes takes a reason)"
  )
}) {}

export interface StoredRefund {
  readonly refund: Refund
  readonly lineage: ReadonlyArray<string>
  /** The gateway that took the payment: the refund goes back through it. */
  readonly gateway: string
}

/** A credit note the payment left unspent (its overpayment, or what it paid on an invoice since voided). */
export interface UnspentCredit {
  readonly credit_note_id: string
  readonly remaining: Money
}
