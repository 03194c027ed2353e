import * as BigDecimal from "effect/BigDecimal"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { newEvent } from "../events/service.js"
import { Invoice } from "../invoices/model.js"
import { Payment } from "../payments/model.js"
import { orNotFound } from "../shared/errors.js"
import { money, roundToMinorUnit } from "../shared/money.js"
import type { ReconciliationDeps } from "./deps.js"

/**
 * A bank's return of a transfer, undone in the books inside the caller's transaction: the
 * payment becomes `reversed`, the customer's ledger takes `+amount` back, the invoice owes again
 * what the payment had paid of it (a paid invoice is `finalized` again), and the credit note its
 * excess became, if any, is emptied; event `payment.reversed`. It answers why not instead when the
 * books no longer hold the money as the payment left it: the payment reversed already or refunded,
 * its credit spent on later invoices, or its invoice voided (what was paid on it became credit then).
 */

const encodePayment = Schema.encode(Payment)

export type ReturnOutcome =
  | { readonly reversed: true; readonly payment: Payment }
  | { readonly reversed: false; readonly reason: string }

export const makeReverseReturnedPayment = (deps: ReconciliationDeps) =>
(input: { readonly payment_id: string; readonly line_id: string; readonly at: DateTime.Utc }) =>
  Effect.gen(function* () {
    const { at } = input
    const found = yield* deps.repo.lockPaymentToReverse(input.payment_id)
    if (Option.isNone(found)) return { reversed: false, reason: `payment ${input.payment_id} does not exist` } satisfies ReturnOutcome
    const { payment, credit_note: credit, lineage } = found.value
    if (payment.status !== "succeeded") {
      return { reversed: false, reason: `payment ${payment.id} is ${payment.status} already` } satisfies ReturnOutcome
    }
    if (found.value.refunded) {
      return { reversed: false, reason: `payment ${payment.id} was refunded in part or whole: book the return by hand` } satisfies ReturnOutcome
    }
    if (credit !== null && !BigDecimal.equals(credit.remaining.amount, credit.amount.amount)) {
      return {
        reversed: false,
        reason: `the credit note ${credit.id} that payment ${payment.id} left was used on later invoices: book the return by hand`
      } satisfies ReturnOutcome
    }
    const locked = yield* deps.invoices.lock(payment.invoice_id).pipe(orNotFound("invoice", payment.invoice_id))
    const invoice = locked.invoice
    const currency = payment.amount.currency
    const applied = BigDecimal.subtract(payment.amount.amount, credit?.amount.amount ?? BigDecimal.fromBigInt(0n))
    if (invoice.status === "void" || BigDecimal.greaterThan(applied, invoice.amount_paid.amount)) {
      return {
        reversed: false,
        reason: `invoice ${invoice.number ?? invoice.id} no longer holds payment ${payment.id} (it is ${invoice.status}): book the return by hand`
      } satisfies ReturnOutcome
    }

    if (BigDecimal.isPositive(applied)) {
      const amountDue = roundToMinorUnit(BigDecimal.sum(invoice.amount_due.amount, applied), currency)
      const owes = BigDecimal.isPositive(amountDue)
      yield* deps.payments.saveInvoicePayment(new Invoice({
        ...invoice,
        amount_paid: money(roundToMinorUnit(BigDecimal.subtract(invoice.amount_paid.amount, applied), currency), currency),
        amount_due: money(amountDue, currency),
        status: invoice.status === "paid" && owes ? "finalized" : invoice.status,
        paid_at: invoice.status === "paid" && owes ? null : invoice.paid_at,
        updated_at: at
      }))
    }
    yield* deps.payments.appendLedger([{
      customer_id: payment.customer_id,
      currency,
      kind: "payment",
      amount: payment.amount.amount,
      invoice_id: payment.invoice_id,
      payment_id: payment.id,
      credit_note_id: null
    }], at)
    yield* deps.repo.saveReversal({ payment_id: payment.id, credit_note_id: credit?.id ?? null }, at)
    const reversed = new Payment({ ...payment, status: "reversed", updated_at: at })
    const data = { payment: yield* Effect.orDie(encodePayment(reversed)), statement_line_id: input.line_id }
    yield* deps.log.append([yield* newEvent("payment.reversed", { customer_id: payment.customer_id, lineage }, data)])
    return { reversed: true, payment: reversed } satisfies ReturnOutcome
  })
