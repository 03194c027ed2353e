import { SqlClient } from "@effect/sql"
import { makeId } from "@provisio/core/shared/ids"
import { DateTime, Effect } from "effect"

/**
 * Invoices for the payments tests, written in SQL the way a billing run and finalization leave
 * them: a draft with one charge line, or a finalized one (numbered, subtotal = total = amount_due,
 * the ledger's `invoice` entry of +subtotal). No credit is applied: the tests that need credit
 * lines go through the Invoices service.
 */

let numbers = 0
let drafts = 0

const insertInvoice = (
  customerId: string,
  amount: string,
  currency: string,
  status: "draft" | "finalized" | "void"
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const id = yield* makeId("inv")
    const now = yield* DateTime.now
    const at = DateTime.formatIso(now)
    const number = status === "draft" ? null : `INV-${DateTime.getPartUtc(now, "year")}-${String(++numbers).padStart(6, "0")}`
    // A period of its own per draft: a customer has one open draft per currency and month.
    const period = status === "draft" ? `${2000 + (++drafts % 900)}-01` : "2026-11"
    const finalized = status === "draft" ? null : at
    yield* sql`
      insert into invoices (id, number, customer_id, lineage, issuer_account_id, status, currency, period,
                            subtotal, total, amount_paid, amount_due, finalized_at, voided_at, created_at, updated_at)
      select ${id}, ${number}, c.id, c.lineage, c.partner_id, ${status}, ${currency}, ${period},
             ${amount}::numeric, ${amount}::numeric, 0, ${status === "void" ? "0" : amount}::numeric,
             ${finalized}::timestamptz, ${status === "void" ? at : null}::timestamptz, ${at}::timestamptz, ${at}::timestamptz
        from customers c where c.id = ${customerId}`
    yield* sql`
      insert into invoice_lines (invoice_id, position, kind, description, quantity, unit_price, amount)
      values (${id}, 0, 'one_off', 'Installation', 1, ${amount}::numeric, ${amount}::numeric)`
    if (status === "finalized") {
      yield* sql`
        insert into ledger_entries (customer_id, currency, kind, amount, invoice_id, created_at)
        values (${customerId}, ${currency}, 'invoice', ${amount}::numeric, ${id}, ${at}::timestamptz)`
    }
    return id
  }).pipe(Effect.orDie)

/** A finalized invoice of `amount` (a decimal string) owed in full, posted to the ledger. */
export const finalizedInvoiceSql = (customerId: string, amount: string, currency = "EUR") =>
  insertInvoice(customerId, amount, currency, "finalized")

/** A draft invoice of `amount`: not yet payable, not in the ledger. */
export const draftInvoiceSql = (customerId: string, amount: string, currency = "EUR") =>
  insertInvoice(customerId, amount, currency, "draft")

/** A void invoice that was never finalized. */
export const voidInvoiceSql = (customerId: string, amount: string, currency = "EUR") =>
  insertInvoice(customerId, amount, currency, "void")

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
