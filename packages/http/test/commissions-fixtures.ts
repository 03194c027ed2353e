import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import { call, expectData } from "./harness"
import { draftInvoice, finalizedInvoice } from "./invoice-fixtures"

/**
 * Invoices for the commission tests (they only need lines, status and period), made the way the
 * product makes them: a draft as a billing run leaves it, a credit line from a credit note granted
 * just before finalization, finalized by `Invoices.finalizeMany` (numbered, in the ledger), then
 * paid or voided through the API by the platform admin.
 */

export interface FixtureLine {
  readonly kind?: "recurring" | "proration" | "installment" | "usage" | "one_off" | "credit"
  readonly amount: string
  readonly product_id?: string
  readonly plan_id?: string
}

export interface FixtureInvoice {
  readonly customer_id: string
  readonly period: string
  readonly status?: "draft" | "finalized" | "paid" | "void"
  readonly currency?: string
  /** Credit lines (negative amounts) must not exceed the charges: the credit note is taken whole. */
  readonly lines: ReadonlyArray<FixtureLine>
}

/** Makes one invoice with its lines; answers its id. */
export const insertInvoice = (invoice: FixtureInvoice) =>
  Effect.gen(function* () {
    const status = invoice.status ?? "finalized"
    const currency = invoice.currency ?? "EUR"
    const kinds = invoice.lines.map((line) => line.kind ?? (line.amount.startsWith("-") ? "credit" : "recurring"))
    const draft = {
      customerId: invoice.customer_id,
      currency,
      period: invoice.period,
      lines: invoice.lines.flatMap((line, i) => {
        const kind = kinds[i]!
        return kind === "credit" ? [] : [{
          kind,
          description: `${kind} line`,
          quantity: "1",
          unit_price: line.amount,
          amount: line.amount,
          ...(line.product_id === undefined ? {} : { product_id: line.product_id }),
          ...(line.plan_id === undefined ? {} : { plan_id: line.plan_id })
        }]
      })
    }
    if (status === "draft") return yield* draftInvoice(draft)
    for (const [i, line] of invoice.lines.entries()) {
      if (kinds[i] !== "credit") continue
      expectData(yield* call("POST", "/api/v1/credits", {
        body: { customer_id: invoice.customer_id, amount: { amount: line.amount.replace(/^-/, ""), currency }, reason: "Goodwill" }
      }), 201)
    }
    const id = yield* finalizedInvoice(draft)
    if (status === "paid") {
      const due = expectData(yield* call("GET", `/api/v1/invoices/${id}`)).amount_due
      expectData(yield* call("POST", "/api/v1/payments", { body: { invoice_id: id, amount: due } }), 201)
    }
    if (status === "void") expectData(yield* call("POST", `/api/v1/invoices/${id}/void`))
    return id
  })

/** The sum of the invoices' stored totals, as Postgres writes it. */
export const sumOfTotals = (ids: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ readonly total: string }>`
      select coalesce(sum(total), 0)::text as total from invoices where id = any(${ids}::text[])`
    return rows[0]!.total
  }).pipe(Effect.orDie)
