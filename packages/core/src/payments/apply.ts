import * as BigDecimal from "effect/BigDecimal"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { makeStageChanges } from "../collection/dunning-changes.js"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import type { EventType } from "../events/model.js"
import { Invoice } from "../invoices/model.js"
import { InvoiceRepo } from "../invoices/ports.js"
import type { StoredInvoice } from "../invoices/views.js"
import { type NotFound, orNotFound, type PersistenceError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { type Money, money, roundToMinorUnit } from "../shared/money.js"
import { CreditNote, type CreditNoteId, untaxedCredit, type LedgerEntry, Payment, type PaymentId, type StoredCreditNote, type StoredPayment } from "./model.js"
import { PaymentRepo } from "./ports.js"

/**
 * Money received for an invoice, applied: the one place a succeeded payment changes an invoice,
 * the ledger and the customer's credit. `Payments.record` uses it after the gateway charged, and
 * so does everything else that learns money came in (a bank statement's reconciliation, a
 * gateway's webhook).
 */

const encodePayment = Schema.encode(Payment)
const encodeCreditNote = Schema.encode(CreditNote)
const encodeInvoice = Schema.encode(Invoice)

/** What came in. The amount is positive, in the invoice's currency, rounded to its minor unit (the caller checks). */
export interface ReceivedMoney {
  /** The payment's id when the caller made it already (a gateway is charged under it); else a new one. */
  readonly payment_id?: PaymentId | undefined
  readonly invoice_id: string
  readonly amount: Money
  /** Stored on the payment as `gateway`: `manual`, `bank_transfer`, a card gateway's name. */
  readonly gateway: string
  /** The gateway's or the bank's reference for the money, stored as `gateway_reference`. */
  readonly reference: string | null
  readonly payment_method_id: string | null
  readonly at: DateTime.Utc
}

/** What the money did. */
export interface AppliedMoney {
  readonly payment: Payment
  /** The invoice after the payment (locked for the caller's transaction). */
  readonly invoice: StoredInvoice
  /** What the invoice took of it: at most what it still owed (zero on an invoice no longer asking for money). */
  readonly applied: Money
  /** This payment settled the invoice (it became `paid`). */
  readonly paid: boolean
  /** The rest, as customer credit (source `overpayment`); null when the invoice took it all. */
  readonly credit_note: CreditNote | null
}

/** The function `makeApplyReceivedMoney` gives. */
export type ApplyReceivedMoney = (input: ReceivedMoney) => Effect.Effect<AppliedMoney, NotFound | PersistenceError>

/**
 * `applyReceivedMoney(input)` inside the CALLER's transaction (it opens none): locks the invoice,
 * inserts the succeeded payment, posts `-amount` to the customer's ledger, pays what the invoice
 * still owes (settled: status `paid`, `paid_at`), turns the rest into a credit note of source
 * `overpayment` (no ledger entry of its own: the payment's holds it) and appends the events
 * `payment.succeeded`, then `invoice.paid` and `credit_note.created` as they apply. A payment that
 * leaves the customer nothing overdue takes it out of dunning there and then (dunning-changes.ts).
 *
 * An invoice paid or voided by someone else in between still receives the money: whatever it no
 * longer asks for becomes credit. It fails only when the invoice does not exist.
 */
export const makeApplyReceivedMoney = Effect.gen(function* () {
  const repo = yield* PaymentRepo
  const invoices = yield* InvoiceRepo
  const log = yield* EventLog
  const { leaveIfSettled } = yield* makeStageChanges

  const event = (type: EventType, scope: { readonly customer_id: string; readonly lineage: ReadonlyArray<string> }, data: Record<string, unknown>) =>
    newEvent(type, { customer_id: scope.customer_id, lineage: scope.lineage }, data)

  const paymentEvent = (stored: StoredPayment) =>
    Effect.flatMap(Effect.orDie(encodePayment(stored.payment)), (payment) =>
      event("payment.succeeded", { customer_id: stored.payment.customer_id, lineage: stored.lineage }, { payment }))

  const creditNoteEvent = (stored: StoredCreditNote) =>
    Effect.flatMap(Effect.orDie(encodeCreditNote(stored.credit_note)), (credit_note) =>
      event("credit_note.created", { customer_id: stored.credit_note.customer_id, lineage: stored.lineage }, { credit_note }))

  const invoicePaidEvent = (stored: StoredInvoice) =>
    Effect.flatMap(Effect.orDie(encodeInvoice(stored.invoice)), (invoice) =>
      event("invoice.paid", { customer_id: stored.invoice.customer_id, lineage: stored.lineage }, { invoice }))

  const apply: ApplyReceivedMoney = (input) =>
    Effect.gen(function* () {
      const { amount, at } = input
      const locked = yield* invoices.lock(input.invoice_id).pipe(orNotFound("invoice", input.invoice_id))
      const current = locked.invoice
      const id = input.payment_id ?? ((yield* makeId("pay")) as PaymentId)
      const stored: StoredPayment = {
        payment: new Payment({
          id,
          customer_id: current.customer_id,
          invoice_id: current.id,
          amount,
          payment_method_id: input.payment_method_id,
          gateway: input.gateway,
          gateway_reference: input.reference,
          status: "succeeded",
          failure_reason: null,
          created_at: at,
          updated_at: at
        }),
        lineage: locked.lineage
      }
      const due = current.status === "finalized"
        ? BigDecimal.max(current.amount_due.amount, BigDecimal.fromBigInt(0n))
        : BigDecimal.fromBigInt(0n)
      const applied = BigDecimal.min(amount.amount, due)
      const rest = BigDecimal.subtract(amount.amount, applied)
      const currency = amount.currency

      yield* repo.insertPayment(stored)
      const ledger: Array<LedgerEntry> = [{
        customer_id: current.customer_id,
        currency,
        kind: "payment",
        amount: BigDecimal.negate(amount.amount),
        invoice_id: current.id,
        payment_id: id,
        credit_note_id: null
      }]
      yield* repo.appendLedger(ledger, at)
      const events = [yield* paymentEvent(stored)]

      let invoice: StoredInvoice = locked
      let paid = false
      if (BigDecimal.isPositive(applied)) {
        const amountDue = roundToMinorUnit(BigDecimal.subtract(current.amount_due.amount, applied), currency)
        paid = BigDecimal.isZero(amountDue)
        invoice = {
          invoice: new Invoice({
            ...current,
            amount_paid: money(roundToMinorUnit(BigDecimal.sum(current.amount_paid.amount, applied), currency), currency),
            amount_due: money(amountDue, currency),
            status: paid ? "paid" : current.status,
            paid_at: paid ? at : current.paid_at,
            updated_at: at
          }),
          lineage: locked.lineage
        }
        yield* repo.saveInvoicePayment(invoice.invoice)
        if (paid) events.push(yield* invoicePaidEvent(invoice))
      }

      let creditNote: CreditNote | null = null
      if (BigDecimal.isPositive(rest)) {
        // No ledger entry: the payment's entry already holds this money.
        const credit: StoredCreditNote = {
          credit_note: new CreditNote({
            id: (yield* makeId("crn")) as CreditNoteId,
            customer_id: current.customer_id,
            amount: money(rest, currency),
            remaining: money(rest, currency),
            ...untaxedCredit(money(rest, currency)),
            reason: `Overpayment of invoice ${current.number ?? current.id} by payment ${id}`,
            source: "overpayment",
            payment_id: id,
            invoice_id: current.id,
            created_at: at,
            updated_at: at
          }),
          lineage: locked.lineage
        }
        yield* repo.insertCreditNote(credit)
        events.push(yield* creditNoteEvent(credit))
        creditNote = credit.credit_note
      }
      yield* log.append(events)
      // Everything overdue paid: the customer leaves dunning now, its service restored with it.
      if (paid) yield* leaveIfSettled(current.customer_id)
      return {
        payment: stored.payment,
        invoice,
        applied: money(roundToMinorUnit(applied, currency), currency),
        paid,
        credit_note: creditNote
      } satisfies AppliedMoney
    })
  return apply
})
