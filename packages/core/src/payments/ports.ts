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

/** What a gateway is asked to charge. */
export interface ChargeRequest {
  readonly payment_id: string
  readonly customer_id: string
  readonly amount: Money
  /** The customer's payment method to charge; null for money received outside any gateway. */
  readonly payment_method: {
    readonly id: string
    readonly type: PaymentMethodType
    readonly gateway: string | null
    readonly token: string | null
  } | null
  readonly description: string
}

export type ChargeResult =
  | { readonly status: "succeeded"; readonly reference: string }
  | { readonly status: "failed"; readonly reason: string }

/**
 * Where the money comes from. The Payments service charges through it OUTSIDE any database
 * transaction (a gateway call may take seconds), then records the outcome.
 *
 * The shipped adapter is the offline/manual one (adapters/src/payments/manual.ts): it records a
 * bank transfer or cash entered by staff as received. A card gateway is another adapter: a Layer
 * providing this Tag whose `charge` calls the provider with `payment_method.token` (never a card
 * number) and the amount in minor units, keyed by `payment_id` for the provider's idempotency, and
 * answers `failed` with the provider's reason for a decline or a transport error (it never fails
 * the effect). Provide that layer to `Payments.layer` instead of the manual one (services.ts).
 */
export class PaymentGateway extends Context.Tag("@provisio/core/PaymentGateway")<PaymentGateway, {
  /** Stored on each payment as `gateway`. */
  readonly name: string
  readonly charge: (request: ChargeRequest) => Effect.Effect<ChargeResult>
}>() {}
