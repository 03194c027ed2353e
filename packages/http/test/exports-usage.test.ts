import { describe, expect, it } from "@effect/vitest"
import { EXPORT_COLUMNS } from "@provisio/core/exports/model"
import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import { call, channel, expectData } from "./harness"
import { chargeOf, draftInvoice } from "./invoice-fixtures"
import { fetchExport, parseCsv, parseNdjson } from "./exports-fixtures"
import { awaitRun, createCustomer, OrderingServer, runDue, setNow, subscribe, V1 } from "./ordering-fixtures"

const MONTH = "2026-09"
const day = (d: number, hour = 10) => `${MONTH}-${String(d).padStart(2, "0")}T${String(hour).padStart(2, "0")}:00:00Z`

const decimal = BigDecimal.unsafeFromString
const sum = (values: ReadonlyArray<string>) => values.reduce((a, v) => BigDecimal.sum(a, decimal(v)), BigDecimal.fromBigInt(0n))

/** Polls the run (it works in a fiber of its own) until it has finished. */

describe("rated usage export", () => {
  it.layer(OrderingServer, { timeout: 120_000 })("a month billed by a run", (it) => {
    it.effect("per subscription, SKU and day: the days' quantities are the records', their amounts sum to the usage line to the cent", () =>
      Effect.gen(function* () {
        yield* setNow(day(1, 0))
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id, { name: "Metered customer" })
        const product = expectData(yield* call("POST", `${V1}/products`, { body: { name: "Metered minutes", type: "service" } }), 201)
        // A price finer than a cent, and tiers: neither has a price per day, both must sum exactly.
        const perUnit = expectData(yield* call("POST", `${V1}/pricing`, {
          body: { code: "export-min", name: "Minutes", unit: "minute", currency: "EUR", model: "per_unit", unit_price: "0.013" }
        }), 201)
        const tiered = expectData(yield* call("POST", `${V1}/pricing`, {
          body: {
            code: "export-gb",
            name: "Data",
            unit: "GB",
            currency: "EUR",
            model: "graduated",
            tiers: [{ up_to: 10, unit_price: "1", flat_fee: "2.50" }, { up_to: null, unit_price: "0.333" }]
          }
        }), 201)
        const plan = expectData(yield* call("POST", `${V1}/plans`, {
          body: {
            product_id: product.id,
            name: "Metered plan",
            price: { amount: "1", currency: "EUR" },
            billing_interval: "month",
            sku_ids: [perUnit.id, tiered.id]
          }
        }), 201)
        expectData(yield* call("POST", `${V1}/plans/${plan.id}/publish`))
        const subscription = yield* subscribe(customer.id, { plan_id: plan.id, quantity: 1 }, partnerKey)
        yield* setNow(day(20))
        const records = [
          [perUnit.id, "7", day(2)], [perUnit.id, "1", day(2, 23)], [perUnit.id, "11", day(5)], [perUnit.id, "3.5", day(17)],
          [tiered.id, "4", day(3)], [tiered.id, "8.25", day(9)], [tiered.id, "0.75", day(9, 12)], [tiered.id, "5", day(19)]
        ] as const
        const posted = expectData(yield* call("POST", `${V1}/usage`, {
          key: partnerKey,
          body: {
            records: records.map(([sku_id, quantity, occurred_at], i) => ({
              subscription_id: subscription.id,
              sku_id,
              quantity,
              occurred_at,
              transaction_id: `export-${i}`
            }))
          }
        }))
        expect(posted.accepted).toBe(records.length)

        yield* setNow("2026-10-01T00:00:00Z")
        yield* runDue
        const started = expectData(yield* call("POST", `${V1}/billing/runs`, { key: partnerKey, body: { period: MONTH } }), 202)
        expect((yield* awaitRun(started.id, partnerKey)).status).toBe("completed")
        const invoices = expectData(yield* call("GET", `${V1}/invoices?customer_id=${customer.id}`, { key: partnerKey }))
        const usageLines = invoices.flatMap((invoice: any) => invoice.lines.filter((l: any) => l.kind === "usage"))
        expect(usageLines).toHaveLength(2)
        // line_number is the line's place in GET /invoices/{id}, from 1, in every export (billing writes
        // an invoice's first line at position 1: it was shown as 2).
        expect(invoices).toHaveLength(1)
        const numbered = invoices[0].lines.map((l: any, i: number) => [String(i + 1), l.kind, l.sku_id ?? ""])
        const lineRows = parseCsv((yield* fetchExport("invoice-lines", { period: MONTH }, partnerKey)).text).rows
          .filter((r) => r["invoice_id"] === invoices[0].id)
        expect(lineRows.map((r) => [r["line_number"], r["kind"], r["sku_id"]])).toEqual(numbered)
        const numberOf = (line: any) => String(invoices[0].lines.indexOf(line) + 1)

        const answer = yield* fetchExport("rated-usage", { period: MONTH }, partnerKey)
        expect(answer.headers["content-disposition"]).toContain(`provisio-rated-usage-${MONTH}.csv`)
        const { header, rows } = parseCsv(answer.text)
        expect(header).toEqual(EXPORT_COLUMNS["rated-usage"].map((c) => c.name))
        const ofSku = (sku: string) => rows.filter((r) => r["sku_id"] === sku && r["subscription_id"] === subscription.id)
        expect(ofSku(perUnit.id).map((r) => [r["usage_date"], r["quantity"]])).toEqual([
          ["2026-09-02", "8"], ["2026-09-05", "11"], ["2026-09-17", "3.5"]
        ])
        expect(ofSku(tiered.id).map((r) => [r["usage_date"], r["quantity"]])).toEqual([
          ["2026-09-03", "4"], ["2026-09-09", "9"], ["2026-09-19", "5"]
        ])
        for (const line of usageLines) {
          const days = ofSku(line.sku_id)
          expect(BigDecimal.equals(sum(days.map((r) => r["rated_amount"]!)), decimal(line.amount)), line.description).toBe(true)
          expect(BigDecimal.equals(sum(days.map((r) => r["quantity"]!)), decimal(line.quantity))).toBe(true)
          // Whole cents each day.
          for (const r of days) expect(r["rated_amount"]).toMatch(/^-?\d+\.\d{2}$/)
          expect(days.every((r) => r["currency"] === "EUR" && r["customer_id"] === customer.id && r["partner_id"] === partner.id)).toBe(true)
          expect(days.map((r) => r["line_number"])).toEqual(days.map(() => numberOf(line)))
        }
        const ndjson = parseNdjson((yield* fetchExport("rated-usage", { period: MONTH, format: "ndjson" }, partnerKey)).text)
        expect(ndjson.map((o) => o["rated_amount"])).toEqual(rows.map((r) => r["rated_amount"]))
        // Another partner sees none of it.
        const stranger = yield* channel()
        expect(parseCsv((yield* fetchExport("rated-usage", { period: MONTH }, stranger.partnerKey)).text).rows).toEqual([])
      }))
  })

  it.layer(OrderingServer, { timeout: 120_000 })("batches", (it) => {
    it.effect("a month larger than a batch and a window of invoices comes whole, in order, each row once", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        const period = "2026-07"
        const ids: Array<string> = []
        // 230 customers' drafts of 5 lines: past the 200-invoice window and the 1,000-row batch.
        for (let i = 0; i < 230; i++) {
          const customer = yield* createCustomer(partner.id, { name: `Bulk ${i}` })
          ids.push(yield* draftInvoice({
            customerId: customer.id,
            period,
            lines: [0, 1, 2, 3, 4].map((n) => chargeOf(`${n + 1}.00`, `Charge ${n}`))
          }))
        }
        const invoices = parseCsv((yield* fetchExport("invoices", { period }, partnerKey)).text).rows
        expect(invoices.map((r) => r["invoice_id"])).toEqual([...ids].sort())
        const lines = parseCsv((yield* fetchExport("invoice-lines", { period }, partnerKey)).text).rows
        expect(lines).toHaveLength(230 * 5)
        expect(new Set(lines.map((r) => `${r["invoice_id"]} ${r["line_number"]}`)).size).toBe(230 * 5)
        expect(lines.map((r) => r["invoice_id"])).toEqual([...ids].sort().flatMap((id) => [id, id, id, id, id]))
        expect(BigDecimal.equals(sum(lines.map((r) => r["amount"]!)), BigDecimal.fromBigInt(230n * 15n))).toBe(true)
      }))
  })
})
