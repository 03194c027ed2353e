import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PaymentMethodType } from "../customers/model.js"
import type { Invoice } from "../invoices/model.js"
import type { PersistenceError } from "../shared/errors.js"
import type { Money } from "../shared/money.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type {
  CreditNote,
  CreditNoteListFilter,
  CurrencyBalance,
  LedgerEntry,
  Payment,
  PaymentListFilter,
  StoredCreditNote,
  StoredPayment
} from "./model.js"

export class PaymentRepo extends Context.Tag("@provisio/core/PaymentRepo")<PaymentRepo, {
  /**
   * Writes the invoice's `amount_paid`, `amount_due`, `status`, `paid_at` and `updated_at` (the
   * invoice is read and locked through the invoices' `InvoiceRepo`).
   */
  readonly saveInvoicePayment: (invoice: Invoice) => Effect.Effect<void, PersistenceError>
  readonly insertPayment: (stored: StoredPayment) => Effect.Effect<void, PersistenceError>
  readonly findPayment: (id: string) => Effect.Effect<Option.Option<StoredPayment>, PersistenceError>
  /** Payments whose lineage contains `within`, by id. */
  readonly listPayments: (
    within: string,
    filter: PaymentListFilter,
    page: PageRequest
  ) => Effect.Effect<Page<Payment>, PersistenceError>
  readonly insertCreditNote: (stored: StoredCreditNote) => Effect.Effect<void, PersistenceError>
  /** Credit notes whose lineage contains `within`, by id. */
  readonly listCreditNotes: (
    within: string,
    filter: CreditNoteListFilter,
    page: PageRequest
  ) => Effect.Effect<Page<CreditNote>, PersistenceError>
  readonly appendLedger: (entries: ReadonlyArray<LedgerEntry>, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  /**
   * Per currency, by currency: the sum of the customer's ledger, of its finalized unpaid
   * invoices' amount due and of its credit notes' remaining amounts.
   */
  readonly balances: (customerId: string) => Effect.Effect<ReadonlyArray<CurrencyBalance>, PersistenceError>
}>() {}

/** A customer's payment method as a gateway sees it. */
export interface GatewayPaymentMethod {
  readonly id: string
  readonly type: PaymentMethodType
  /** The gateway the method names (`stripe`, `manual`, ...); null for none (money received outside any gateway). */
  readonly gateway: string | null
  /** The gateway's reference for the method (never a card number). */
  readonly token: string | null
}

/** What a gateway is asked to charge. */
export interface ChargeRequest {
  /** The payment's id if the charge succeeds. */
  readonly payment_id: string
  /**
   * The provider's idempotency key: the same key is the same charge, however often it is sent.
   * The payment's id for `POST /payments`, the attempt's (`pat_`) for an automatic charge.
   */
  readonly idempotency_key: string
  readonly invoice_id: string
  /** The automatic charge's attempt, null for `POST /payments`. */
  readonly attempt_id: string | null
  readonly customer_id: string
  readonly amount: Money
  /** The customer's payment method to charge; null for money received outside any gateway. */
  readonly payment_method: GatewayPaymentMethod | null
  readonly description: string
}

/**
 * What came of a charge. `gateway` names the adapter that answered (a router sets it; the
 * `PaymentGateway`'s `name` otherwise).
 * - `succeeded`: the money is taken; `reference` is the provider's id for the charge.
 * - `pending`: the provider took the charge but has not settled it (processing, or the customer
 *   must act); its webhook says how it ends.
 * - `failed`: declined (`decline_code` as the provider gives it) or refused; nothing was taken.
 * - `unknown`: the provider could not be reached or answered with a server error: the charge may
 *   or may not have been made. Sent again with the same idempotency key, it is the same charge.
 */
export type ChargeResult =
  | { readonly status: "succeeded"; readonly reference: string; readonly gateway?: string | undefined }
  | { readonly status: "pending"; readonly reference: string; readonly gateway?: string | undefined }
  | {
    readonly status: "failed"
    readonly reason: string
    readonly decline_code?: string | null | undefined
    readonly reference?: string | null | undefined
    readonly gateway?: string | undefined
  }
  | { readonly status: "unknown"; readonly reason: string; readonly gateway?: string | undefined }

/** Money going back through the gateway that took a payment. */
export interface RefundRequest {
  /** Our refund's id (`ref_`): the provider's idempotency key. */
  readonly refund_id: string
  readonly payment_id: string
  /** The gateway that took the payment (the payment's `gateway`). */
  readonly gateway: string
  /** The provider's reference for the payment (the payment's `gateway_reference`). */
  readonly reference: string | null
  readonly amount: Money
}

/**
 * `succeeded`: the money is on its way back. `pending`: the provider has it but not done (its
 * webhook settles it; `reference` null when the provider could not be reached, so the outcome is
 * unknown). `failed`: refused, nothing goes back.
 */
export type RefundResult =
  | { readonly status: "succeeded"; readonly reference: string }
  | { readonly status: "pending"; readonly reference: string | null; readonly reason?: string | undefined }
  | { readonly status: "failed"; readonly reason: string }

/**
 * Where the money comes from and goes back to. The services call it OUTSIDE any database
 * transaction (a gateway call may take seconds), then record the outcome.
 *
 * What the services are given is a router (adapters/src/payments/routing.ts): each charge goes to
 * the adapter its payment method names (`payment_method.gateway`: `stripe`, `manual`, ...), each
 * refund to the adapter that took the payment. An adapter calls its provider with
 * `payment_method.token` (never a card number), the amount in the provider's minor units, and
 * `idempotency_key` as the provider's idempotency key; it never fails the effect: a decline, a
 * refusal or a transport error is an answer (`failed`, `unknown`). See docs/collection.md, "Gateways".
 */
export class PaymentGateway extends Context.Tag("@provisio/core/PaymentGateway")<PaymentGateway, {
  /** Stored on each payment as `gateway` when the answer names none. */
  readonly name: string
  readonly charge: (request: ChargeRequest) => Effect.Effect<ChargeResult>
  readonly refund: (request: RefundRequest) => Effect.Effect<RefundResult>
}>() {}
