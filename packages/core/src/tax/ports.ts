import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { InvoiceLineFields } from "../invoices/model.js"
import type { InvoiceToIssue } from "../invoices/ports.js"
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

/** A line taxed in memory, with the mention its breakdown group prints. */
export interface TaxedInvoiceLine {
  readonly line: InvoiceLineFields
  readonly exemption_reason: string | null
}

/**
 * Which invoices' lines to tax: drafts already stored (a run's chunk, a re-rating, a draft being
 * finalized), or invoices a run issues at once, whose rows are not written yet.
 */
export type TaxSubjects =
  | { readonly _tag: "Stored"; readonly invoiceIds: ReadonlyArray<string> }
  | { readonly _tag: "Issuing"; readonly invoices: ReadonlyArray<InvoiceToIssue>; readonly createdAt: DateTime.Utc }

/**
 * The tax seam. `taxInvoices` decides, for every non-credit line of the subjects' invoices, its
 * category, rate and exemption reason, and its net amount (a tax-inclusive price's net derived
 * from its gross), and writes them on the lines, in bulk: one call per billing chunk, never one
 * per line. The invoice's breakdown and totals are then summed from the lines by the invoice
 * repository (per category and rate, rounded half-up: rules.ts `breakdown`), whoever decided the
 * rates. The built-in adapter reads the rate table (adapters/postgres/tax/calculator.ts);
 * an external service (Avalara, Anrok, Stripe Tax) is another layer of this tag that reads the
 * lines, asks the service in one batch and writes the same columns.
 */
export class TaxCalculator extends Context.Tag("@provisio/core/TaxCalculator")<TaxCalculator, {
  readonly taxInvoices: (subjects: TaxSubjects) => Effect.Effect<void, PersistenceError>
  /**
   * A preview's lines (nothing stored): each line with its category, rate and net amount, and its
   * exemption reason; credit lines as they are. The same decisions as `taxInvoices`.
   */
  readonly taxLines: (
    context: { readonly issuer_account_id: string; readonly customer_id: string; readonly currency: Currency },
    lines: ReadonlyArray<InvoiceLineFields>
  ) => Effect.Effect<ReadonlyArray<TaxedInvoiceLine>, PersistenceError>
}>() {}
