import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError } from "../shared/errors.js"
import type { Currency } from "../shared/money.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { Invoice } from "./model.js"
import type { BillingSummaryRows, InvoiceListFilter, StoredInvoice, SummaryFilter, VoidedInvoice } from "./views.js"

/** An invoice a billing run makes for a customer, currency and month, before it is stored. */
export interface InvoiceToIssue {
  readonly id: string
  readonly customer_id: string
  readonly lineage: ReadonlyArray<string>
  readonly issuer_account_id: string
  readonly currency: Currency
  readonly period: string
  readonly billing_run_id: string | null
}

/** The ids of the events a finalization may raise for an invoice. */
export interface FinalizationEvents {
  readonly invoice_id: string
  readonly finalized_event_id: string
  readonly paid_event_id: string
}

export class InvoiceRepo extends Context.Tag("@provisio/core/InvoiceRepo")<InvoiceRepo, {
  /**
   * Finalizes the drafts among `ids` at `at`, set-based: locks them, applies the customers'
   * credit notes (oldest first, up to each subtotal), numbers them gaplessly per issuer and
   * year, sets the totals and status (`paid` when nothing is left to pay), books the ledger and
   * writes each one's `invoice.finalized` event (then `invoice.paid` when credit covered it),
   * data `{ invoice }` as the API shows it, under the ids `events` gives it. Ids that are not
   * drafts are skipped. Answers the ids of the invoices it finalized.
   */
  readonly finalizeDrafts: (
    ids: ReadonlyArray<string>,
    at: DateTime.Utc,
    events: ReadonlyArray<FinalizationEvents>
  ) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  /**
   * Stores `invoices`, created at `createdAt`, finalized at `at` as `finalizeDrafts` finalizes a
   * draft, from the lines already written under their ids (a billing run with no grace period
   * writes each invoice once instead of a draft and then its update). One with no line is not
   * stored. Answers the ids of those stored.
   */
  readonly issueInvoices: (
    invoices: ReadonlyArray<InvoiceToIssue>,
    createdAt: DateTime.Utc,
    at: DateTime.Utc,
    events: ReadonlyArray<FinalizationEvents>
  ) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  /**
   * Voids a locked invoice at `at`: a finalized or paid one also books the ledger, gives its
   * credit notes their remaining back and turns what was paid on it into the credit note
   * `creditNote` (source `void`). Only `draft`, `finalized` and `paid` invoices change.
   */
  readonly voidInvoice: (
    id: string,
    at: DateTime.Utc,
    creditNote: { readonly id: string; readonly reason: string }
  ) => Effect.Effect<Option.Option<VoidedInvoice>, PersistenceError>
  /**
   * Marks up to `limit` invoices overdue at `at` (finalized, owing money, past `due_at`, not
   * disputed, not marked yet) and answers them: each is marked once, whichever scheduler gets it.
   */
  readonly markOverdue: (at: DateTime.Utc, limit: number) => Effect.Effect<ReadonlyArray<StoredInvoice>, PersistenceError>
  /** Sets a finalized or paid invoice's `disputed` flag; none when the invoice is in neither state. */
  readonly setDisputed: (id: string, disputed: boolean, at: DateTime.Utc) => Effect.Effect<Option.Option<StoredInvoice>, PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<StoredInvoice>, PersistenceError>
  /** The same, locked for the transaction. */
  readonly lock: (id: string) => Effect.Effect<Option.Option<StoredInvoice>, PersistenceError>
  /** Invoices whose lineage contains `within`, by id. */
  readonly list: (
    within: string,
    filter: InvoiceListFilter,
    page: PageRequest
  ) => Effect.Effect<Page<Invoice>, PersistenceError>
  /** The sums behind GET /billing/summary, from the period's invoices that are not void. */
  readonly summary: (within: string, filter: SummaryFilter) => Effect.Effect<BillingSummaryRows, PersistenceError>
}>() {}
