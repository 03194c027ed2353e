import { parse } from "csv-parse/sync"
import * as Effect from "effect/Effect"
import { call, channel, createKey, createPartner, expectData } from "./harness"
import { insertInvoice } from "./commissions-fixtures"
import { createCustomer, exampleCatalog, V1 } from "./ordering-fixtures"

/** One export through the API: `query` is `period` and `format`. */
export const fetchExport = (kind: string, query: Record<string, string>, key?: string) =>
  call("GET", `${V1}/exports/${kind}?${new URLSearchParams(query)}`, { key })

/** A CSV export read back by a strict RFC 4180 parser: the header, and each row keyed by it. */
export const parseCsv = (text: string) => {
  const [header, ...rows] = parse(text, { bom: false, relax_column_count: false }) as Array<Array<string>>
  return {
    header: header ?? [],
    rows: rows.map((values) => Object.fromEntries((header ?? []).map((name, i) => [name, values[i]!])))
  }
}

export const parseNdjson = (text: string): Array<Record<string, unknown>> =>
  text.split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line))

/** A customer name a naive CSV writer breaks: a comma, quotes and a line break. */
export const AWKWARD_NAME = "Acme, \"The Best\" Ltd\nSecond line"

/**
 * A distributor with two partners, each with a customer (the first with `AWKWARD_NAME`), a 10%
 * rule for each partner and 3% for the distributor, and invoices of `period`: for the first
 * customer a finalized, a paid and a draft one; for the other a finalized one.
 */
export const exportWorld = (period: string) =>
  Effect.gen(function* () {
    const catalog = yield* exampleCatalog
    const seat = catalog.products["UCaaS Seat"]!
    const seatMonthly = catalog.plans["UCaaS Seat Monthly"]!
    const { distributor, distributorKey, partner, partnerKey } = yield* channel()
    const other = yield* createPartner(distributor.id, "standard", "Other partner")
    const otherKey = yield* createKey(other.id)
    const rule = (account_id: string, percentage: string, key?: string) =>
      call("POST", `${V1}/commissions/rules`, { key, body: { account_id, percentage, effective_from: "2026-01-01" } })
        .pipe(Effect.map((answer) => expectData(answer, 201)))
    yield* rule(distributor.id, "3")
    yield* rule(partner.id, "10", distributorKey)
    yield* rule(other.id, "12.5", distributorKey)
    const customer = yield* createCustomer(partner.id, { name: AWKWARD_NAME })
    const otherCustomer = yield* createCustomer(other.id, { name: "Other customer" })
    const line = { product_id: seat, plan_id: seatMonthly }
    const finalized = yield* insertInvoice({
      customer_id: customer.id,
      period,
      lines: [{ ...line, amount: "100.00" }, { ...line, kind: "usage", amount: "7.35" }, { ...line, amount: "0.33" }]
    })
    const paid = yield* insertInvoice({ customer_id: customer.id, period, status: "paid", lines: [{ ...line, amount: "20.01" }] })
    const draft = yield* insertInvoice({ customer_id: customer.id, period, status: "draft", lines: [{ ...line, amount: "5.00" }] })
    const otherInvoice = yield* insertInvoice({ customer_id: otherCustomer.id, period, lines: [{ ...line, amount: "40.00" }] })
    return {
      distributor,
      distributorKey,
      partner,
      partnerKey,
      other,
      otherKey,
      customer,
      otherCustomer,
      invoices: { finalized, paid, draft, other: otherInvoice }
    }
  })
