import * as SqlClient from "@effect/sql/SqlClient"
import { Identity } from "@provisio/core/identity/service"
import { Invoices } from "@provisio/core/invoices/service"
import * as Effect from "effect/Effect"
import { chargeOf, draftInvoice, finalizedInvoice } from "./invoice-fixtures"

/**
 * Invoices of one charge line for the payments tests, made the way the product makes them: a
 * draft as a billing run leaves it, finalized by `Invoices.finalizeMany` (numbered from the
 * issuer's sequence, the customer's credit taken as credit lines, the ledger's `invoice` entry),
 * voided by `Invoices.voidInvoice`. Numbers written past the sequence would collide with the next
 * real finalization of the same issuer and year.
 */

/** A finalized invoice of `amount` (a decimal string), posted to the ledger. */
export const finalizedInvoiceOf = (customerId: string, amount: string, currency = "EUR") =>
  finalizedInvoice({ customerId, currency, lines: [chargeOf(amount)] })

/** A draft invoice of `amount`: not yet payable, not in the ledger. */
export const draftInvoiceOf = (customerId: string, amount: string, currency = "EUR") =>
  draftInvoice({ customerId, currency, lines: [chargeOf(amount)] })

/** A void invoice that was never finalized, voided by the platform operator. */
export const voidInvoiceOf = (customerId: string, amount: string, currency = "EUR") =>
  Effect.gen(function* () {
    const id = yield* draftInvoiceOf(customerId, amount, currency)
    const operator = yield* Effect.flatMap(Identity, (identity) => identity.platformOperator)
    yield* Effect.flatMap(Invoices, (invoices) => invoices.voidInvoice(operator, id))
    return id
  }).pipe(Effect.orDie)

/**
 * The invariant of the billing model, per currency of the customer, straight from the tables:
 * SUM(ledger) and SUM(amount_due of finalized invoices) - SUM(credit_notes.remaining).
 */
export const ledgerFigures = (customerId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return yield* sql<{ currency: string; ledger: string; due_minus_credit: string }>`
      with currencies as (
        select currency from ledger_entries where customer_id = ${customerId}
        union select currency from invoices where customer_id = ${customerId}
        union select currency from credit_notes where customer_id = ${customerId})
      select c.currency,
             (select coalesce(sum(amount), 0) from ledger_entries l
               where l.customer_id = ${customerId} and l.currency = c.currency)::text as ledger,
             ((select coalesce(sum(amount_due), 0) from invoices i
                where i.customer_id = ${customerId} and i.currency = c.currency and i.status in ('finalized', 'paid'))
              - (select coalesce(sum(remaining), 0) from credit_notes n
                  where n.customer_id = ${customerId} and n.currency = c.currency))::text as due_minus_credit
        from currencies c order by c.currency`
  }).pipe(Effect.orDie)
