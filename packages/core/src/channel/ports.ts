import type * as BigDecimal from "effect/BigDecimal"
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { BillingMonth, InvoiceTax } from "../invoices/model.js"
import type { PersistenceError } from "../shared/errors.js"
import type { Currency } from "../shared/money.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type * as Schema from "effect/Schema"
import type { PartySources } from "../documents/ports.js"
import type { InvoiceToIssue } from "../invoices/ports.js"
import type { StoredUpstreamInvoice, UpstreamInvoiceLine, UpstreamListFilter } from "./model.js"

/**
 * Channel costs: for every customer line a billing chunk writes, the cost at each tier above the
 * customer that buys it (the partner from its distributor, the distributor from the platform),
 * at the buyer's price resolved as billing resolves the customer's. Plan and usage lines carry
 * theirs (line-costs.ts) and are written with them (BillingInvoiceRepo.insertLines); this
 * repository costs one-off lines from their stored lines, and forgets re-rated usage's.
 */
export class ChannelCostRepo extends Context.Tag("@provisio/core/ChannelCostRepo")<ChannelCostRepo, {
  /**
   * Records the costs of the invoices' one-off lines that have none yet (in their invoice's
   * period); a line is costed once per buyer. `unstored`: invoices whose lines are written but which are
   * not stored yet (a run issues its new invoices last, holding its issuers' number sequences
   * for as short a time as it can), created at `at`.
   */
  readonly record: (
    invoiceIds: ReadonlyArray<string>,
    at: DateTime.Utc,
    unstored?: ReadonlyArray<InvoiceToIssue>
  ) => Effect.Effect<void, PersistenceError>
  /** Forgets the costs of the drafts' usage lines, which a re-rating writes again. */
  readonly forgetUsage: (invoiceIds: ReadonlyArray<string>) => Effect.Effect<void, PersistenceError>
}>() {}

/** The period's costs not yet invoiced up the channel, summed per seller, buyer, currency and plan or SKU. */
export interface PendingCost {
  readonly seller_account_id: string
  readonly buyer_account_id: string
  readonly buyer_lineage: ReadonlyArray<string>
  readonly currency: Currency
  readonly plan_id: string | null
  readonly sku_id: string | null
  readonly description: string
  readonly quantity: BigDecimal.BigDecimal
  readonly amount: BigDecimal.BigDecimal
}

/** An upstream invoice to write: numbered by the store (per issuer, as customer invoices are). */
export interface UpstreamToIssue {
  readonly id: string
  readonly issuer_account_id: string
  readonly bill_to_account_id: string
  readonly lineage: ReadonlyArray<string>
  readonly currency: Currency
  readonly period: BillingMonth
  readonly billing_run_id: string | null
  readonly lines: ReadonlyArray<Schema.Struct.Type<typeof UpstreamInvoiceLine.fields> & { readonly tax_reason: string | null }>
  readonly subtotal: BigDecimal.BigDecimal
  readonly tax: ReadonlyArray<InvoiceTax>
  readonly tax_total: BigDecimal.BigDecimal
  readonly total: BigDecimal.BigDecimal
}

export class UpstreamInvoiceRepo extends Context.Tag("@provisio/core/UpstreamInvoiceRepo")<UpstreamInvoiceRepo, {
  /**
   * The period's costs of the customers below `within` (from finalized or paid customer invoices:
   * a draft may still be re-rated) not yet on an upstream invoice whose
   * seller has settings.channel.upstream_invoicing on and whose buyer is not an agency partner,
   * locked until the transaction ends.
   */
  readonly pendingCosts: (period: BillingMonth, within: string) => Effect.Effect<ReadonlyArray<PendingCost>, PersistenceError>
  /**
   * Writes the invoices, each numbered per issuer from the sequence customer invoices use, and
   * marks the costs they bill (the same seller, buyer, currency and period, below `within`).
   */
  readonly issue: (invoices: ReadonlyArray<UpstreamToIssue>, within: string, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  /** The upstream invoices the account issued or is billed, and those of the accounts below it, by id. */
  readonly list: (
    accountId: string,
    filter: UpstreamListFilter,
    page: PageRequest
  ) => Effect.Effect<Page<StoredUpstreamInvoice>, PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<StoredUpstreamInvoice>, PersistenceError>
  /** The same, locked for the transaction. */
  readonly lock: (id: string) => Effect.Effect<Option.Option<StoredUpstreamInvoice>, PersistenceError>
  /** The parties of its documents, as they were when it was issued (the account billed as the buyer). */
  readonly partiesOf: (id: string) => Effect.Effect<Option.Option<PartySources>, PersistenceError>
  /**
   * Voids a finalized upstream invoice with nothing paid on it at `at` and releases its costs
   * (pending again: the period's next run invoices them afresh); none in any other state.
   */
  readonly voidInvoice: (id: string, at: DateTime.Utc) => Effect.Effect<Option.Option<StoredUpstreamInvoice>, PersistenceError>
  /**
   * Records `amount` received on a finalized upstream invoice owing at least that much, as the
   * payment `paymentId`: `paid` once nothing is left; none otherwise.
   */
  readonly recordPayment: (
    id: string,
    paymentId: string,
    amount: BigDecimal.BigDecimal,
    at: DateTime.Utc
  ) => Effect.Effect<Option.Option<StoredUpstreamInvoice>, PersistenceError>
}>() {}

/** A month's amounts per plan or SKU and currency, summed by the store. */
export interface MarginAmount {
  readonly plan_id: string | null
  readonly sku_id: string | null
  readonly currency: Currency
  readonly amount: BigDecimal.BigDecimal
}

export class MarginRepo extends Context.Tag("@provisio/core/MarginRepo")<MarginRepo, {
  /**
   * What the account sold in the month: the lines (credits aside) of the finalized and paid
   * invoices it issued, and the costs of the accounts it sells to.
   */
  readonly revenue: (accountId: string, period: BillingMonth) => Effect.Effect<ReadonlyArray<MarginAmount>, PersistenceError>
  /** What the account bought in the month: its cost rows. */
  readonly cost: (accountId: string, period: BillingMonth) => Effect.Effect<ReadonlyArray<MarginAmount>, PersistenceError>
  /**
   * A partner's commission in the month (exact, per currency) on what it sold as an agent: the
   * finalized and paid invoices of its customers that another account (its distributor) issued,
   * less the month's credit notes on such invoices, under its commission rules as the commission
   * summary applies them. Invoices the partner issued itself (as a reseller) are left out; none
   * with nothing issued by another account in the month.
   */
  readonly commission: (partnerId: string, period: BillingMonth) => Effect.Effect<ReadonlyArray<MarginCommission>, PersistenceError>
}>() {}

/** A partner's commission in one currency, exact (rounded once, with the totals). */
export interface MarginCommission {
  readonly currency: Currency
  readonly amount: BigDecimal.BigDecimal
}
