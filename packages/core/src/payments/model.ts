import * as BigDecimal from "effect/BigDecimal"
import * as Schema from "effect/Schema"
import { prefixedId } from "../shared/ids.js"
import { Currency, minorUnits, Money } from "../shared/money.js"
import { readOnlyField, refusedField } from "../shared/read-only.js"
import { Text } from "../shared/text.js"
import { Timestamp } from "../shared/time.js"
import { InvoiceTax } from "../invoices/model.js"

/**
 * Payments (`pay_`) against finalized invoices, credit notes (`crn_`) and the customer's balance.
 *
 * The ledger (ledger_entries, per customer and currency, positive = the customer owes) is what
 * the balance is the sum of: a payment posts -amount; a credit granted posts -amount. Money paid
 * beyond what the invoice still owes becomes a credit note of source `overpayment` WITHOUT a
 * ledger entry: the payment entry already holds it. A refund posts +amount (money given back)
 * and, for what it takes back from the invoice (at most what is left to credit of it), a credit
 * note of source `refund` spent on that invoice at once (-amount, `remaining` zero); what it
 * takes back from the payment's unspent credit, or from the credit the invoice's own credit notes
 * gave, lowers those notes' `remaining` instead. Hence, for every customer and currency,
 * SUM(ledger) = SUM(amount_due of finalized invoices) - SUM(credit_notes.remaining).
 */

export const PaymentId = prefixedId("pay", "PaymentId")
export type PaymentId = typeof PaymentId.Type
export const CreditNoteId = prefixedId("crn", "CreditNoteId")
export type CreditNoteId = typeof CreditNoteId.Type

/**
 * `succeeded`: the money came in; `failed`: the gateway declined it; `reversed`: it came in, then
 * went back (a bank transfer the bank returned, reconciliation/returns.ts): the invoice owes it
 * again and the customer's ledger says so.
 */
export const PaymentStatus = Schema.Literal("succeeded", "failed", "reversed")
export type PaymentStatus = typeof PaymentStatus.Type

/**
 * `manual`: granted by staff (POST /credits); `overpayment`: paid beyond an invoice; `void`: paid
 * on a voided invoice; `refund`: made with a refund (payments/refunds.ts), against the refunded
 * payment's invoice and spent on it at once (`remaining` zero).
 */
export const CreditNoteSource = Schema.Literal("manual", "overpayment", "void", "refund", "invoice")

/**
 * `balance`: spendable customer credit, no invoice (POST /credits, over-payments, a voided
 * invoice's payments); `invoice`: reduces one invoice (POST /invoices/{id}/credit-notes), tax
 * reversed in proportion; `refund`: made with a refund, against the payment's invoice.
 */
export const CreditNoteKind = Schema.Literal("balance", "invoice", "refund")
export type CreditNoteKind = typeof CreditNoteKind.Type

/** A credit note's tax fields when it reverses no tax (kind `balance`): net = gross = `amount`. */
export const untaxedCredit = (amount: Money) => ({
  kind: "balance" as const,
  subtotal: amount,
  tax: [],
  tax_total: { amount: BigDecimal.make(0n, minorUnits(amount.currency)), currency: amount.currency },
  total: amount
})
export type CreditNoteSource = typeof CreditNoteSource.Type

export class Payment extends Schema.Class<Payment>("Payment")({
  id: PaymentId,
  customer_id: Schema.String,
  invoice_id: Schema.String,
  amount: Money,
  payment_method_id: Schema.NullOr(Schema.String),
  /** The gateway that took it (`manual` for money received by bank transfer or cash). */
  gateway: Schema.String,
  /** The gateway's reference for the charge; null when it failed before making one. */
  gateway_reference: Schema.NullOr(Schema.String),
  status: PaymentStatus,
  /** Why the gateway declined it; null when it succeeded. */
  failure_reason: Schema.NullOr(Schema.String),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class CreditNote extends Schema.Class<CreditNote>("CreditNote")({
  id: CreditNoteId,
  customer_id: Schema.String,
  amount: Money,
  /** What the customer's next finalized invoices can still take as credit lines. */
  remaining: Money,
  reason: Schema.String,
  source: CreditNoteSource,
  /** The overpaying payment, for source `overpayment`. */
  payment_id: Schema.NullOr(Schema.String),
  /** The invoice overpaid, voided, credited or refunded. */
  invoice_id: Schema.NullOr(Schema.String),
  kind: CreditNoteKind,
  /** Net: `total` less its tax (all of it for balance credit). */
  subtotal: Money,
  /** The tax it reverses, per category and rate of its invoice, in proportion; empty for balance credit. */
  tax: Schema.Array(InvoiceTax),
  tax_total: Money,
  /** Gross: the same as `amount`. */
  total: Money,
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

/** One currency of a customer's balance. */
export const CurrencyBalance = Schema.Struct({
  currency: Currency,
  /** The sum of the customer's ledger: positive when the customer owes, negative when in credit. */
  balance: Money,
  /** What the customer's finalized, unpaid invoices still ask for. */
  amount_due: Money,
  /** What the customer's credit notes still hold for future invoices. */
  credit_available: Money
}).annotations({ identifier: "CurrencyBalance" })
export type CurrencyBalance = typeof CurrencyBalance.Type

export class CustomerBalance extends Schema.Class<CustomerBalance>("CustomerBalance")({
  customer_id: Schema.String,
  /** One entry per currency the customer has been billed, paid or credited in; empty when none. */
  balances: Schema.Array(CurrencyBalance)
}) {}

export class RecordPayment extends Schema.Class<RecordPayment>("RecordPayment")({
  /** A finalized invoice; a draft, a void or a paid one answers 409. */
  invoice_id: Schema.String,
  /** Positive, in the invoice's currency, at most the currency's minor unit digits. Beyond the amount due it becomes a credit note. */
  amount: Money,
  /** One of the invoice customer's payment methods; the gateway charges it. */
  payment_method_id: Schema.optional(Schema.String),
  /** The invoice's customer pays: another one named here is 422, not dropped unseen. */
  customer_id: readOnlyField
}) {}

export class GrantCredit extends Schema.Class<GrantCredit>("GrantCredit")({
  customer_id: Schema.String,
  /** Positive, at most the currency's minor unit digits. */
  amount: Money,
  reason: Text(500),
  /** Balance credit belongs to no invoice: sent, it is 422 rather than credit that leaves the invoice owing. */
  invoice_id: refusedField(
    "POST /credits grants spendable credit to the customer, on no invoice; " +
      "POST /invoices/{invoiceId}/credit-notes credits an invoice"
  )
}) {}

export interface StoredPayment {
  readonly payment: Payment
  readonly lineage: ReadonlyArray<string>
}

export interface StoredCreditNote {
  readonly credit_note: CreditNote
  readonly lineage: ReadonlyArray<string>
}

export interface LedgerEntry {
  readonly customer_id: string
  readonly currency: Currency
  /** `refund`: money given back (+amount); the refund's credit note posts its own -amount. */
  readonly kind: "payment" | "credit_note" | "refund"
  /** Signed: negative lowers what the customer owes. */
  readonly amount: BigDecimal.BigDecimal
  readonly invoice_id: string | null
  readonly payment_id: string | null
  readonly credit_note_id: string | null
}

export interface PaymentListFilter {
  readonly customer_id?: string | undefined
  readonly invoice_id?: string | undefined
}

export interface CreditNoteListFilter {
  readonly customer_id?: string | undefined
  readonly invoice_id?: string | undefined
}
