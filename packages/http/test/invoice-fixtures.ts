import * as SqlClient from "@effect/sql/SqlClient"
import type { InvoiceLineDetails, InvoiceLineKind } from "@provisio/core/invoices/model"
import { Invoices } from "@provisio/core/invoices/service"
import { makeId } from "@provisio/core/shared/ids"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"

/**
 * Draft invoices written in SQL the way a billing run leaves them (lines, subtotal = total =
 * amount_due = the sum of the lines, issuer = the customer's partner), and finalized ones made
 * from such a draft by the real `Invoices.finalizeMany`. For the invoice and payment tests until
 * they can bill through a run.
 */

export interface DraftLine {
  readonly kind: Exclude<InvoiceLineKind, "credit">
  readonly description: string
  /** A decimal string, already rounded to the currency's minor unit (as billing makes it). */
  readonly amount: string
  readonly quantity?: string
  readonly unit_price?: string
  readonly subscription_id?: string
  readonly product_id?: string
  readonly plan_id?: string
  readonly sku_id?: string
  readonly details?: InvoiceLineDetails
}

export interface DraftInput {
  readonly customerId: string
  readonly currency?: string
  /** `YYYY-MM`; a period of its own by default (a customer has one draft per currency and month). */
  readonly period?: string
  readonly lines: ReadonlyArray<DraftLine>
}

let periods = 0
/** Months no other draft of the test run uses, far from the ones the tests name. */
const uniquePeriod = () => `${1000 + (++periods % 8000)}-${String((periods % 12) + 1).padStart(2, "0")}`

/** A draft of the customer, answered as its id. */
export const draftInvoice = (input: DraftInput) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const id = yield* makeId("inv")
    const at = DateTime.formatIso(yield* DateTime.now)
    const currency = input.currency ?? "EUR"
    const lines = input.lines.map((line, position) => ({
      position,
      kind: line.kind,
      description: line.description,
      subscription_id: line.subscription_id ?? null,
      product_id: line.product_id ?? null,
      plan_id: line.plan_id ?? null,
      sku_id: line.sku_id ?? null,
      quantity: line.quantity ?? null,
      unit_price: line.unit_price ?? null,
      amount: line.amount,
      details: line.details ?? {}
    }))
    const inserted = yield* sql`
      insert into invoices (id, customer_id, lineage, issuer_account_id, status, currency, period,
                            subtotal, total, amount_due, created_at, updated_at)
      select ${id}, c.id, c.lineage, c.partner_id, 'draft', ${currency}, ${input.period ?? uniquePeriod()},
             t.sum, t.sum, t.sum, ${at}::timestamptz, ${at}::timestamptz
        from customers c,
             (select coalesce(sum((l ->> 'amount')::numeric), 0) as sum
                from jsonb_array_elements(${JSON.stringify(lines)}::jsonb) l) t
       where c.id = ${input.customerId}
      returning id`
    if (inserted.length === 0) return yield* Effect.dieMessage(`no customer ${input.customerId}`)
    if (lines.length > 0) {
      yield* sql`
        insert into invoice_lines (invoice_id, position, kind, description, subscription_id, product_id, plan_id,
                                   sku_id, quantity, unit_price, amount, details)
        select ${id}, l.position, l.kind, l.description, l.subscription_id, l.product_id, l.plan_id,
               l.sku_id, l.quantity, l.unit_price, l.amount, l.details
          from jsonb_to_recordset(${JSON.stringify(lines)}::jsonb) as l(
            position integer, kind text, description text, subscription_id text, product_id text, plan_id text,
            sku_id text, quantity numeric, unit_price numeric, amount numeric, details jsonb)`
    }
    return id
  }).pipe(Effect.orDie)

/** A draft made and finalized through `Invoices.finalizeMany`, answered as its id. */
export const finalizedInvoice = (input: DraftInput) =>
  Effect.gen(function* () {
    const id = yield* draftInvoice(input)
    const finalized = yield* (yield* Invoices).finalizeMany([id])
    if (!finalized.includes(id)) return yield* Effect.dieMessage(`invoice ${id} was not finalized`)
    return id
  }).pipe(Effect.orDie)

/** One `one_off` line of `amount`: the simplest invoice. */
export const chargeOf = (amount: string, description = "Installation"): DraftLine => ({
  kind: "one_off",
  description,
  quantity: "1",
  unit_price: amount,
  amount
})
