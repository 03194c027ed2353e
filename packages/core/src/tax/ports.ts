import type * as BigDecimal from "effect/BigDecimal"
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { InvoiceLineFields } from "../invoices/model.js"
import type { PersistenceError } from "../shared/errors.js"
import type { Currency } from "../shared/money.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { TaxRate } from "./model.js"

/**
 * Whether a tax id is registered, asked of a live registry (VIES for EU VAT numbers, HMRC, ...)
 * once its format passed (tax-ids.ts). The shipped verifier checks nothing more than the format;
 * a host wires a registry's adapter in its place. A registry that cannot be reached should answer
 * `valid: true` with a note rather than refuse customers while it is down.
 */
export class TaxIdVerifier extends Context.Tag("@provisio/core/TaxIdVerifier")<TaxIdVerifier, {
  readonly verify: (taxId: string, country: string) => Effect.Effect<{ readonly valid: boolean; readonly reason?: string }>
}>() {}

/** The default: the format was checked already, and nothing else is. */
export const formatOnlyTaxIdVerifier = TaxIdVerifier.of({ verify: () => Effect.succeed({ valid: true }) })

/** The rate table (`/tax-rates`). */
export class TaxRateRepo extends Context.Tag("@provisio/core/TaxRateRepo")<TaxRateRepo, {
  readonly list: (
    filter: { readonly country?: string | undefined; readonly category?: string | undefined },
    page: PageRequest
  ) => Effect.Effect<Page<TaxRate>, PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<TaxRate>, PersistenceError>
  /** The rows of one country, region and category (for the overlap check), locked until commit. */
  readonly lockSiblings: (country: string, region: string | null, category: string) => Effect.Effect<ReadonlyArray<TaxRate>, PersistenceError>
  readonly save: (rate: TaxRate) => Effect.Effect<TaxRate, PersistenceError>
  readonly remove: (id: string) => Effect.Effect<boolean, PersistenceError>
}>() {}

/**
 * A line taxed before it is stored: its net amount, category and rate on `line`, the mention its
 * breakdown group prints, and its price as priced (the gross of a tax-inclusive price) when the
 * net differs from it, so taxing it again starts from the price.
 */
export interface TaxedInvoiceLine {
  readonly line: InvoiceLineFields
  readonly exemption_reason: string | null
  readonly priced_amount: BigDecimal.BigDecimal | null
}

/** The lines of one invoice to be, and who sells to whom in what currency. */
export interface UntaxedLines {
  readonly issuer_account_id: string
  /** The buyer; null on an upstream invoice, which bills `bill_to_account_id`. */
  readonly customer_id: string | null
  /** The account an upstream invoice bills (docs/channel.md): taxed as a buyer by its settings.legal. */
  readonly bill_to_account_id?: string | null
  readonly currency: Currency
  /** The service date of a line with no period of its own (a one-off): the invoice's date. */
  readonly issued_at: DateTime.Utc
  readonly lines: ReadonlyArray<InvoiceLineFields>
}

/**
 * The tax seam. It decides, for every non-credit line, its category, rate and exemption reason,
 * and its net amount (a tax-inclusive price's net derived from its gross), in bulk: one call per
 * billing chunk, never one per line. `taxLines` does it before the lines are written (a run's new
 * invoices, a preview), `taxInvoices` on drafts already stored (a re-rating, a draft being
 * finalized, drafts waiting out a grace period), writing the same columns. The invoice's
 * breakdown and totals are then summed from the lines by the invoice repository (per category and
 * rate, rounded half-up: rules.ts `breakdown`), whoever decided the rates. The built-in adapter
 * reads the rate table (adapters/postgres/tax/); an external service (Avalara, Anrok, Stripe Tax)
 * is another layer of this tag that asks the service in one batch per call.
 */
export class TaxCalculator extends Context.Tag("@provisio/core/TaxCalculator")<TaxCalculator, {
  readonly taxInvoices: (invoiceIds: ReadonlyArray<string>) => Effect.Effect<void, PersistenceError>
  /** Each group's lines taxed, in the order given; credit lines as they are. */
  readonly taxLines: (
    groups: ReadonlyArray<UntaxedLines>
  ) => Effect.Effect<ReadonlyArray<ReadonlyArray<TaxedInvoiceLine>>, PersistenceError>
}>() {}
