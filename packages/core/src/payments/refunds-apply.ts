import * as BigDecimal from "effect/BigDecimal"
import { proportionalCredit } from "../tax/rules.js"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { EventLog } from "../events/ports.js"
import { newEvent } from "../events/service.js"
import type { StoredEvent } from "../events/model.js"
import { invoiceGross } from "../invoices/model.js"
import { InvoiceRepo } from "../invoices/ports.js"
import { orNotFound } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { money, zeroMoney } from "../shared/money.js"
import { CreditNote, type CreditNoteId, type LedgerEntry, Payment, type StoredPayment } from "./model.js"
import { PaymentRepo } from "./ports.js"
import { Refund, type StoredRefund, type UnspentCredit } from "./refunds-model.js"
import { RefundRepo } from "./refunds-ports.js"
import { makeRefundRoom } from "./refunds-room.js"

/**
 * A refund the gateway made, applied: the one place a refund changes the books, whoever learnt
 * of it (`POST /payments/{id}/refund`, a gateway's webhook).
 *
 * The money given back posts `+amount` to the customer's ledger (kind `refund`). What the
 * payment left unspent as credit (its overpayment, or what it paid on an invoice since voided)
 * is taken back first: those notes' `remaining` falls. Then, up to what is left to credit of the
 * invoice, a credit note of source `refund` against it, spent on it at once (`remaining` zero)
 * and posted `-amount`, so the invoice stays settled; beyond that, the customer credit the
 * invoice's own credit notes left (refunds-room.ts), so that no invoice is credited past its
 * gross. Per customer and currency, SUM(ledger) =
 * SUM(amount_due) - SUM(remaining) still holds. Events `credit_note.created` (when a note is made)
 * and `payment.refunded`.
 */

const encodeRefund = Schema.encode(Refund)
const encodePayment = Schema.encode(Payment)
const encodeCreditNote = Schema.encode(CreditNote)

export const makeApplyRefund = Effect.gen(function* () {
  const repo = yield* RefundRepo
  const payments = yield* PaymentRepo
  const invoices = yield* InvoiceRepo
  const log = yield* EventLog
  const room = yield* makeRefundRoom

  /** Settles `stored` (pending, its payment locked by the caller) as succeeded at `at`, in the caller's transaction. */
  return (stored: StoredRefund, payment: StoredPayment, reference: string | null, at: DateTime.Utc) =>
    Effect.gen(function* () {
      const refund = stored.refund
      const currency = refund.amount.currency
      const locked = yield* invoices.lock(refund.invoice_id).pipe(orNotFound("invoice", refund.invoice_id))

      const space = yield* room(refund.payment_id, locked.invoice)
      const take = (credits: ReadonlyArray<UnspentCredit>, wanted: BigDecimal.BigDecimal) =>
        Effect.gen(function* () {
          let rest = wanted
          for (const note of credits) {
            const part = BigDecimal.min(rest, note.remaining.amount)
            if (!BigDecimal.isPositive(part)) continue
            yield* repo.spendCredit(note.credit_note_id, part, at)
            rest = BigDecimal.subtract(rest, part)
          }
          return rest
        })
      const afterUnspent = yield* take(space.unspent, refund.amount.amount)
      const onInvoice = BigDecimal.min(afterUnspent, space.left)
      // Beyond what is left to credit of the invoice: the credit its own notes gave the customer.
      const shortfall = yield* take(space.invoiceCredit, BigDecimal.subtract(afterUnspent, onInvoice))
      // Non-zero only when that credit was spent while the gateway gave the money back, or for a
      // refund made in the gateway's dashboard (no reservation checked the room, refunds.ts):
      // the money is gone, so the note takes it and the ledger stays whole.
      const rest = BigDecimal.sum(onInvoice, shortfall)

      const ledger: Array<LedgerEntry> = [{
        customer_id: refund.customer_id,
        currency,
        kind: "refund",
        amount: refund.amount.amount,
        invoice_id: refund.invoice_id,
        payment_id: refund.payment_id,
        credit_note_id: null
      }]
      const events: Array<StoredEvent> = []
      const scope = { customer_id: refund.customer_id, lineage: stored.lineage }
      let creditNote: CreditNote | null = null
      if (BigDecimal.isPositive(rest)) {
        // Kind refund: the invoice's tax reversed in proportion to the gross taken back.
        const invoice = locked.invoice
        const split = proportionalCredit(rest, invoiceGross(invoice), invoice.tax.map((t) => ({
          category: t.category,
          rate: t.rate,
          taxable_amount: t.taxable_amount.amount,
          tax_amount: t.tax_amount.amount,
          exemption_reason: t.exemption_reason
        })), currency)
        creditNote = new CreditNote({
          kind: "refund",
          subtotal: money(split.subtotal, currency),
          tax: split.groups.map((g) => ({
            category: g.category,
            rate: g.rate,
            taxable_amount: money(g.taxable_amount, currency),
            tax_amount: money(g.tax_amount, currency),
            exemption_reason: g.exemption_reason
          })),
          tax_total: money(split.tax_total, currency),
          total: money(rest, currency),
          id: (yield* makeId("crn")) as CreditNoteId,
          customer_id: refund.customer_id,
          amount: money(rest, currency),
          remaining: zeroMoney(currency),
          reason: `Refund ${refund.id} of payment ${refund.payment_id} on invoice ${locked.invoice.number ?? locked.invoice.id}`,
          source: "refund",
          payment_id: refund.payment_id,
          invoice_id: refund.invoice_id,
          created_at: at,
          updated_at: at
        })
        yield* payments.insertCreditNote({ credit_note: creditNote, lineage: stored.lineage })
        ledger.push({
          customer_id: refund.customer_id,
          currency,
          kind: "credit_note",
          amount: BigDecimal.negate(rest),
          invoice_id: refund.invoice_id,
          payment_id: refund.payment_id,
          credit_note_id: creditNote.id
        })
        events.push(yield* newEvent("credit_note.created", scope, { credit_note: yield* Effect.orDie(encodeCreditNote(creditNote)) }))
      }
      yield* payments.appendLedger(ledger, at)

      const done = new Refund({
        ...refund,
        status: "succeeded",
        gateway_reference: reference ?? refund.gateway_reference,
        failure_reason: null,
        credit_note_id: creditNote?.id ?? null,
        updated_at: at
      })
      yield* repo.saveRefund(done.id, {
        status: done.status,
        gateway_reference: done.gateway_reference,
        failure_reason: null,
        credit_note_id: done.credit_note_id
      }, at)
      events.push(yield* newEvent("payment.refunded", scope, {
        refund: yield* Effect.orDie(encodeRefund(done)),
        payment: yield* Effect.orDie(encodePayment(payment.payment))
      }))
      yield* log.append(events)
      return done
    })
})
