import * as BigDecimal from "effect/BigDecimal"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { makeStageChanges } from "../collection/dunning-changes.js"
import { CustomerRepo } from "../customers/ports.js"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireAdmin, requireKind } from "../identity/policy.js"
import { Invoice } from "../invoices/model.js"
import { InvoiceRepo } from "../invoices/ports.js"
import { CreditNote, type CreditNoteId, type CreditNoteListFilter } from "../payments/model.js"
import { PaymentRepo } from "../payments/ports.js"
import { InvalidState, orNotFound } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { money, roundToMinorUnit } from "../shared/money.js"
import { changedReadOnlyField } from "../shared/read-only.js"
import type { PageRequest } from "../shared/pagination.js"
import { now } from "../shared/time.js"
import { Transactor } from "../shared/transactor.js"
import type { CreateInvoiceCreditNote } from "./model.js"
import { planCredit } from "./plan.js"
import { CreditNoteRepo } from "./ports.js"

const encodeCreditNote = Schema.encode(CreditNote)
const encodeInvoice = Schema.encode(Invoice)
const CHANNEL = ["platform", "distributor", "partner"] as const

/**
 * Credit notes of every kind (`GET /credit-notes`), and those of kind `invoice`: a finalized or
 * paid invoice credited by a gross amount or by lines, its tax reversed in proportion. The
 * credit lowers what the invoice still owes; what it does not owe any more (a settled invoice)
 * becomes the customer's credit (`remaining`). The ledger takes -gross, so SUM(ledger) =
 * SUM(amount_due) - SUM(remaining) holds.
 */
export const make = Effect.gen(function* () {
  const notes = yield* CreditNoteRepo
  const payments = yield* PaymentRepo
  const invoices = yield* InvoiceRepo
  const customers = yield* CustomerRepo
  const log = yield* EventLog
  const transactor = yield* Transactor
  const { leaveIfSettled } = yield* makeStageChanges

  const list = (principal: Principal, filter: CreditNoteListFilter, page: PageRequest) =>
    Effect.gen(function* () {
      if (filter.customer_id !== undefined) {
        yield* customers.findById(filter.customer_id).pipe(reachableBy(principal, "customer", filter.customer_id))
      }
      return yield* payments.listCreditNotes(principal.account_id, filter, page)
    })

  const get = (principal: Principal, id: string) =>
    Effect.map(notes.findById(id).pipe(reachableBy(principal, "credit note", id)), (s) => s.credit_note)

  const creditInvoice = Effect.fn("CreditNotes.creditInvoice")(function* (
    principal: Principal,
    invoiceId: string,
    input: CreateInvoiceCreditNote
  ) {
    const found = yield* invoices.findById(invoiceId).pipe(reachableBy(principal, "invoice", invoiceId))
    yield* requireKind(principal, CHANNEL, "credit invoices")
    yield* requireAdmin(principal)
    const other = changedReadOnlyField(input, {
      invoice_id: "must be the invoice in the path, or left out",
      customer_id: "must be the invoice's customer, or left out: a credit note credits its invoice's customer"
    }, () => ({ invoice_id: found.invoice.id, customer_id: found.invoice.customer_id }))
    if (other !== undefined) return yield* other
    const at = yield* now
    const id = (yield* makeId("crn")) as CreditNoteId
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const locked = yield* invoices.lock(invoiceId).pipe(orNotFound("invoice", invoiceId))
      const invoice = locked.invoice
      if (invoice.status !== "finalized" && invoice.status !== "paid") {
        return yield* new InvalidState({ message: `invoice ${invoiceId} is ${invoice.status}: only a finalized or paid invoice is credited` })
      }
      // Read under the invoice's lock: a second note at once waits, then sees this one's lines.
      const plan = yield* planCredit(invoice, input, yield* notes.earlierCredits(invoiceId))
      const currency = invoice.currency
      const toInvoice = BigDecimal.min(plan.total, BigDecimal.max(invoice.amount_due.amount, BigDecimal.fromBigInt(0n)))
      const rest = roundToMinorUnit(BigDecimal.subtract(plan.total, toInvoice), currency)
      const note = new CreditNote({
        id,
        customer_id: invoice.customer_id,
        amount: money(plan.total, currency),
        remaining: money(rest, currency),
        reason: input.reason.trim() === "" ? `Credit on invoice ${invoice.number}` : input.reason.trim(),
        source: "invoice",
        payment_id: null,
        invoice_id: invoice.id,
        kind: "invoice",
        subtotal: money(plan.subtotal, currency),
        tax: plan.tax.map((g) => ({
          category: g.category,
          rate: g.rate,
          taxable_amount: money(g.taxable_amount, currency),
          tax_amount: money(g.tax_amount, currency),
          exemption_reason: g.exemption_reason
        })),
        tax_total: money(plan.tax_total, currency),
        total: money(plan.total, currency),
        created_at: at,
        updated_at: at
      })
      yield* payments.insertCreditNote({ credit_note: note, lineage: locked.lineage })
      yield* notes.insertLines(note.id, invoice.id, plan.lines)
      yield* payments.appendLedger([{
        customer_id: invoice.customer_id,
        currency,
        kind: "credit_note",
        amount: BigDecimal.negate(plan.total),
        invoice_id: invoice.id,
        payment_id: null,
        credit_note_id: note.id
      }], at)
      const scope = { customer_id: invoice.customer_id, lineage: locked.lineage }
      const events = [yield* newEvent("credit_note.created", scope, { credit_note: yield* Effect.orDie(encodeCreditNote(note)) })]
      let settled = false
      if (BigDecimal.isPositive(toInvoice)) {
        const due = roundToMinorUnit(BigDecimal.subtract(invoice.amount_due.amount, toInvoice), currency)
        settled = !BigDecimal.isPositive(due) && invoice.status !== "paid"
        const updated = new Invoice({
          ...invoice,
          amount_due: money(due, currency),
          status: settled ? "paid" : invoice.status,
          paid_at: settled && invoice.paid_at === null ? at : invoice.paid_at,
          updated_at: at
        })
        yield* payments.saveInvoicePayment(updated)
        // Settled by the credit: paid as by any other door (the same event, dunning left).
        if (settled) events.push(yield* newEvent("invoice.paid", scope, { invoice: yield* Effect.orDie(encodeInvoice(updated)) }))
      }
      yield* log.append(events)
      if (settled) yield* leaveIfSettled(invoice.customer_id)
      return yield* notes.findById(note.id).pipe(orNotFound("credit note", note.id), Effect.map((s) => s.credit_note))
    }))
  })

  return { list, get, creditInvoice } as const
})

export class CreditNotes extends Context.Tag("@provisio/core/CreditNotes")<CreditNotes, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(CreditNotes, make)
}
