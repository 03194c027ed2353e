import * as BigDecimal from "effect/BigDecimal"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { CreditNoteRepo } from "../credit-notes/ports.js"
import { CustomerRepo } from "../customers/ports.js"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import type { EventType } from "../events/model.js"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireAdmin, requireKind, requireWrite } from "../identity/policy.js"
import { type Forbidden, InvalidState, NotFound, PersistenceError, ValidationError } from "../shared/errors.js"
import { makeUpstreamInvoices } from "../channel/upstream-invoices.js"
import { CreditNote, type CreditNoteId, untaxedCredit } from "../payments/model.js"
import { makeId, makeIds } from "../shared/ids.js"
import { formatAmount } from "../shared/money.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import { TaxCalculator } from "../tax/ports.js"
import { Transactor } from "../shared/transactor.js"
import { SubscriptionRepo } from "../subscriptions/ports.js"
import { type AnyInvoice, Invoice, READ_ONLY_INVOICE_FIELDS, type UpdateInvoice } from "./model.js"
import { changedReadOnlyField } from "../shared/read-only.js"
import { InvoiceRepo, type InvoiceToIssue } from "./ports.js"
import { BillingSummary, type InvoiceListFilter, type StoredInvoice, type SummaryFilter } from "./views.js"
import { now } from "../shared/time.js"

const encodeInvoice = Schema.encode(Invoice)
const encodeCreditNote = Schema.encode(CreditNote)

/** The event an invoice's change raises; its data is the invoice as the API shows it. */
const invoiceEvent = (type: EventType, stored: StoredInvoice, extra: Record<string, unknown> = {}) =>
  Effect.gen(function* () {
    const invoice = yield* Effect.orDie(encodeInvoice(stored.invoice))
    return yield* newEvent(type, { customer_id: stored.invoice.customer_id, lineage: stored.lineage }, { invoice, ...extra })
  })

export const make = Effect.gen(function* () {
  const repo = yield* InvoiceRepo
  const creditNotes = yield* CreditNoteRepo
  const customers = yield* CustomerRepo
  const subscriptions = yield* SubscriptionRepo
  const log = yield* EventLog
  const transactor = yield* Transactor
  const tax = yield* TaxCalculator
  // Upstream invoices (issue 23) are answered here too, from their own store (channel/upstream-invoices.ts).
  const upstream = yield* makeUpstreamInvoices

  const findCustomer = (principal: Principal, id: string) =>
    customers.findById(id).pipe(reachableBy(principal, "customer", id))

  /** An invoice the caller may see; out of scope reads as missing. */
  const findInvoice = (principal: Principal, id: string) =>
    repo.findById(id).pipe(reachableBy(principal, "invoice", id))

  /** Ids for the events a finalization may raise (the database writes them: their data is the invoice it just finalized). */
  const eventIdsFor = (ids: ReadonlyArray<string>) =>
    Effect.map(makeIds("evt", 2 * ids.length), (eventIds) =>
      ids.map((invoice_id, i) => ({ invoice_id, finalized_event_id: eventIds[2 * i]!, paid_event_id: eventIds[2 * i + 1]! })))

  const finalizeMany = (ids: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<string>, PersistenceError> =>
    ids.length === 0 ? Effect.succeed([]) : transactor.withTransaction(Effect.gen(function* () {
      const unique = [...new Set(ids)]
      // Taxed as they are finalized (rates of the lines' service dates), in one call for the batch.
      yield* tax.taxInvoices(unique)
      return yield* repo.finalizeDrafts(unique, yield* now, yield* eventIdsFor(unique))
    }))

  const issueMany = (
    invoices: ReadonlyArray<InvoiceToIssue>,
    createdAt: DateTime.Utc
  ): Effect.Effect<ReadonlyArray<string>, PersistenceError> =>
    invoices.length === 0 ? Effect.succeed([]) : transactor.withTransaction(Effect.gen(function* () {
      const events = yield* eventIdsFor(invoices.map((i) => i.id))
      return yield* repo.issueInvoices(invoices, createdAt, yield* now, events)
    }))

  /** Whether `id` is none of the customers' invoices: then it may be an upstream one. */
  const notACustomerInvoice = (id: string) => Effect.map(repo.findById(id), Option.isNone)

  /** Voids an invoice: an admin of the channel that issued it (not its customer, not the account it bills) may. */
  const voidInvoice = (principal: Principal, id: string): Effect.Effect<AnyInvoice, NotFound | Forbidden | InvalidState | PersistenceError> =>
    Effect.flatMap(
      notACustomerInvoice(id),
      (upstreamOnly): Effect.Effect<AnyInvoice, NotFound | Forbidden | InvalidState | PersistenceError> =>
        upstreamOnly ? upstream.voidInvoice(principal, id) : voidCustomerInvoice(principal, id)
    )

  const voidCustomerInvoice = (principal: Principal, id: string) =>
    Effect.gen(function* () {
      yield* findInvoice(principal, id)
      yield* requireKind(principal, ["platform", "distributor", "partner"], "void invoices")
      yield* requireAdmin(principal)
      return yield* transactor.withTransaction(Effect.gen(function* () {
        const current = yield* repo.lock(id).pipe(reachableBy(principal, "invoice", id))
        if (current.invoice.status === "void") {
          return yield* new InvalidState({ message: `invoice ${id} is already void` })
        }
        // Read under the invoice's lock, which a credit note or refund on it takes too. Once a note
        // corrected the invoice, a void would give the same money back twice (the note's credit and
        // the payment's): as in Stripe, the rest of such an invoice is corrected by another note.
        const credited = (yield* creditNotes.earlierCredits(id)).gross
        if (BigDecimal.isPositive(credited)) {
          const currency = current.invoice.currency
          return yield* new InvalidState({
            message: `invoice ${id} has credit notes or refunds of ${formatAmount(credited, currency)} ${currency} and ` +
              `cannot be voided: credit what is left of it instead (POST /invoices/${id}/credit-notes)`
          })
        }
        const at = yield* now
        const creditNote = {
          id: yield* makeId("crn"),
          reason: `paid on invoice ${current.invoice.number ?? id}, voided`
        }
        const voided = yield* repo.voidInvoice(id, at, creditNote).pipe(
          Effect.flatMap(Option.match({
            onNone: () => Effect.fail(new InvalidState({ message: `invoice ${id} can no longer be voided` })),
            onSome: Effect.succeed
          }))
        )
        const events = [yield* invoiceEvent("invoice.voided", voided.stored)]
        if (voided.creditNoteId !== null) {
          const invoice = voided.stored.invoice
          const note = new CreditNote({
            id: voided.creditNoteId as CreditNoteId,
            customer_id: invoice.customer_id,
            amount: invoice.amount_paid,
            remaining: invoice.amount_paid,
            ...untaxedCredit(invoice.amount_paid),
            reason: creditNote.reason,
            source: "void",
            payment_id: null,
            invoice_id: invoice.id,
            created_at: at,
            updated_at: at
          })
          const credit_note = yield* Effect.orDie(encodeCreditNote(note))
          events.push(yield* newEvent("credit_note.created", { customer_id: invoice.customer_id, lineage: voided.stored.lineage }, {
            credit_note
          }))
        }
        yield* log.append(events)
        return voided.stored.invoice
      }))
    })

  /** A customer's invoice the caller may see (what finalization and the other customer flows work on). */
  const getInvoice = (principal: Principal, id: string) => Effect.map(findInvoice(principal, id), (s) => s.invoice)

  /** `GET /invoices/{id}`: a customer's invoice, or an upstream one the caller reaches. */
  const readInvoice = (principal: Principal, id: string): Effect.Effect<AnyInvoice, NotFound | PersistenceError> =>
    Effect.flatMap(
      repo.findById(id),
      // One read of the customers' invoices (the request path's common case); the upstream ones only on a miss.
      (found): Effect.Effect<AnyInvoice, NotFound | PersistenceError> =>
        Option.isSome(found)
          ? Effect.map(reachableBy(principal, "invoice", id)(Effect.succeed(found)), (s) => s.invoice)
          : upstream.getInvoice(principal, id)
    )

  /**
   * Marks a finalized (or paid) invoice disputed, or settles the dispute: the issuing channel's
   * writers. A disputed invoice is left out of dunning. Raises `invoice.updated` when it changes.
   */
  const updateInvoice = (principal: Principal, id: string, input: UpdateInvoice) =>
    Effect.gen(function* () {
      if (yield* notACustomerInvoice(id)) {
        // An upstream invoice is not collected, so there is no dunning to keep it out of.
        yield* upstream.find(principal, id)
        return yield* new InvalidState({ message: `invoice ${id} bills an account: it is not collected and cannot be disputed` })
      }
      const current = yield* findInvoice(principal, id)
      yield* requireKind(principal, ["platform", "distributor", "partner"], "change invoices")
      yield* requireWrite(principal)
      // Only `disputed` changes: another field sent with another value is 422, not 200 and nothing done.
      const readOnly = changedReadOnlyField(
        input,
        READ_ONLY_INVOICE_FIELDS,
        () => Schema.encodeSync(Invoice)(current.invoice) as unknown as Record<string, unknown>
      )
      if (readOnly !== undefined) return yield* readOnly
      if (current.invoice.disputed === input.disputed) return current.invoice
      return yield* transactor.withTransaction(Effect.gen(function* () {
        const changed = yield* repo.setDisputed(id, input.disputed, yield* now).pipe(
          Effect.flatMap(Option.match({
            onNone: () => Effect.fail(new InvalidState({ message: `invoice ${id} is ${current.invoice.status}: only a finalized or paid invoice can be disputed` })),
            onSome: Effect.succeed
          }))
        )
        yield* log.append([yield* invoiceEvent("invoice.updated", changed, {
          changes: { disputed: { from: current.invoice.disputed, to: input.disputed } }
        })])
        return changed.invoice
      }))
    })

  /** A customer's invoice through /customers/{id}/invoices/{invoiceId}: another customer's reads as missing. */
  const getCustomerInvoice = (principal: Principal, customerId: string, id: string) =>
    Effect.gen(function* () {
      yield* findCustomer(principal, customerId)
      const stored = yield* findInvoice(principal, id)
      if (stored.invoice.customer_id !== customerId) return yield* NotFound.of("invoice", id)
      return stored.invoice
    })

  const listCustomersInvoices = (
    principal: Principal,
    filter: InvoiceListFilter,
    page: PageRequest
  ): Effect.Effect<Page<Invoice>, NotFound | PersistenceError> =>
    Effect.gen(function* () {
      if (filter.customer_id !== undefined) yield* findCustomer(principal, filter.customer_id)
      return yield* repo.list(principal.account_id, filter, page)
    })

  /** The caller's invoices: its customers' and the upstream invoices it issued, is billed or sees below it, by id. */
  const listInvoices = (
    principal: Principal,
    filter: InvoiceListFilter,
    page: PageRequest
  ): Effect.Effect<Page<AnyInvoice>, NotFound | PersistenceError> =>
    Effect.gen(function* () {
      const judged = { ...filter, as_of: filter.status === "overdue" ? yield* now : undefined }
      return yield* upstream.withUpstream(principal, judged, page, yield* listCustomersInvoices(principal, judged, page))
    })

  const listCustomerInvoices = (
    principal: Principal,
    customerId: string,
    filter: Omit<InvoiceListFilter, "customer_id">,
    page: PageRequest
  ) =>
    Effect.gen(function* () {
      const judged = { ...filter, customer_id: customerId, as_of: filter.status === "overdue" ? yield* now : undefined }
      return yield* listCustomersInvoices(principal, judged, page)
    })

  const summary = (principal: Principal, filter: SummaryFilter) =>
    Effect.gen(function* () {
      if (filter.customer_id !== undefined && filter.subscription_id !== undefined) {
        return yield* ValidationError.of("subscription_id", "give customer_id or subscription_id, not both")
      }
      if (filter.customer_id !== undefined) yield* findCustomer(principal, filter.customer_id)
      if (filter.subscription_id !== undefined) {
        const id = filter.subscription_id
        yield* subscriptions.findById(id).pipe(reachableBy(principal, "subscription", id))
      }
      const rows = yield* repo.summary(principal.account_id, filter)
      return new BillingSummary({ period: filter.period, ...rows })
    })

  return {
    finalizeMany,
    issueMany,
    voidInvoice,
    getInvoice,
    readInvoice,
    updateInvoice,
    getCustomerInvoice,
    listInvoices,
    listCustomerInvoices,
    summary
  } as const
})

/**
 * The invoice life cycle after a billing run has written drafts: finalization (gapless numbers
 * per issuing account, credit lines from the customer's credit notes, the ledger entry, the
 * `invoice.finalized` event), voiding, and the reads. The layer (`layer`, below the Tag) is built
 * from the repositories in ports.ts.
 *
 * `finalizeMany(ids)` finalizes these drafts, set-based (a fixed number of statements whatever
 * their count, credit included). Drafts flagged
 * `needs_rerate` are re-rated by the caller first (billing/service). Ids that are no longer
 * drafts are skipped. Runs in the caller's transaction when there is one. Answers the ids it
 * finalized.
 *
 * `issueMany(invoices, createdAt)` stores a billing run's new invoices finalized in the same way,
 * from the lines already written under their ids, taxed as they were written (no draft first);
 * one with no line is not made.
 * Answers the ids it made.
 */
export class Invoices extends Context.Tag("@provisio/core/Invoices")<Invoices, Effect.Effect.Success<typeof make> & {
  readonly finalizeMany: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  readonly issueMany: (
    invoices: ReadonlyArray<InvoiceToIssue>,
    createdAt: DateTime.Utc
  ) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
}>() {
  static readonly layer = Layer.effect(Invoices, make)
}
