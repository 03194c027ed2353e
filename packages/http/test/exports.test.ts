import { describe, expect, it } from "@effect/vitest"
import { EXPORT_COLUMNS } from "@provisio/core/exports/model"
import * as BigDecimal from "effect/BigDecimal"
import { Exports } from "@provisio/core/exports/service"
import { Identity } from "@provisio/core/identity/service"
import { BillingMonth } from "@provisio/core/invoices/model"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { call, createKey, expectData } from "./harness"
import { AWKWARD_NAME, exportWorld, fetchExport, parseCsv, parseNdjson } from "./exports-fixtures"
import { expectError, OrderingServer, V1 } from "./ordering-fixtures"

const PERIOD = "2026-11"

const sum = (values: ReadonlyArray<string>) =>
  BigDecimal.format(BigDecimal.normalize(values.reduce((a, v) => BigDecimal.sum(a, BigDecimal.unsafeFromString(v)), BigDecimal.fromBigInt(0n))))

const same = (a: string, b: string) => BigDecimal.equals(BigDecimal.unsafeFromString(a), BigDecimal.unsafeFromString(b))

describe("exports", () => {
  it.layer(OrderingServer)("invoices and lines", (it) => {
    it.effect("a partner's invoices as CSV: attachment, header, names with commas, quotes and line breaks, the invoices' totals", () =>
      Effect.gen(function* () {
        const { customer, invoices, other, partner, partnerKey } = yield* exportWorld(PERIOD)
        const answer = yield* fetchExport("invoices", { period: PERIOD, format: "csv" }, partnerKey)
        expect(answer.status, answer.text).toBe(200)
        expect(answer.headers["content-type"]).toMatch(/^text\/csv/)
        expect(answer.headers["content-disposition"]).toBe(`attachment; filename="provisio-invoices-${PERIOD}.csv"`)
        expect(answer.text.endsWith("\r\n")).toBe(true)
        const { header, rows } = parseCsv(answer.text)
        expect(header).toEqual(EXPORT_COLUMNS["invoices"].map((c) => c.name))
        expect(rows.map((r) => r["invoice_id"]).sort()).toEqual([invoices.finalized, invoices.paid, invoices.draft].sort())
        for (const row of rows) {
          expect(row["customer_name"]).toBe(AWKWARD_NAME)
          expect(row["customer_id"]).toBe(customer.id)
          expect(row["partner_id"]).toBe(partner.id)
          const invoice = expectData(yield* call("GET", `${V1}/invoices/${row["invoice_id"]}`, { key: partnerKey }))
          expect(row["status"]).toBe(invoice.status)
          expect(row["number"]).toBe(invoice.number ?? "")
          for (const field of ["total", "amount_paid", "amount_due"] as const) {
            expect(same(row[field]!, invoice[field].amount), `${field}: ${row[field]} vs ${invoice[field].amount}`).toBe(true)
          }
          expect(row["currency"]).toBe("EUR")
        }
        // Never another partner's.
        expect(answer.text).not.toContain(invoices.other)
        expect(answer.text).not.toContain(other.id)
      }))

    it.effect("lines: one row per line, summing to each invoice's total; NDJSON has the same rows, typed", () =>
      Effect.gen(function* () {
        const { distributorKey, invoices, partnerKey } = yield* exportWorld(PERIOD)
        const csv = parseCsv((yield* fetchExport("invoice-lines", { period: PERIOD }, partnerKey)).text)
        expect(csv.header).toEqual(EXPORT_COLUMNS["invoice-lines"].map((c) => c.name))
        const finalizedLines = csv.rows.filter((r) => r["invoice_id"] === invoices.finalized)
        expect(finalizedLines.map((r) => r["line_number"])).toEqual(["1", "2", "3"])
        expect(finalizedLines.map((r) => r["kind"])).toEqual(["recurring", "usage", "recurring"])
        const invoice = expectData(yield* call("GET", `${V1}/invoices/${invoices.finalized}`, { key: partnerKey }))
        expect(same(sum(finalizedLines.map((r) => r["amount"]!)), invoice.total.amount)).toBe(true)
        expect(finalizedLines.every((r) => r["invoice_number"] === invoice.number)).toBe(true)

        const ndjson = yield* fetchExport("invoice-lines", { period: PERIOD, format: "ndjson" }, partnerKey)
        expect(ndjson.headers["content-type"]).toMatch(/^application\/x-ndjson/)
        expect(ndjson.headers["content-disposition"]).toContain(`provisio-invoice-lines-${PERIOD}.ndjson`)
        const objects = parseNdjson(ndjson.text)
        expect(objects.length).toBe(csv.rows.length)
        expect(Object.keys(objects[0]!)).toEqual(csv.header)
        expect(objects.map((o) => o["line_number"])).toEqual(csv.rows.map((r) => Number(r["line_number"])))
        expect(typeof objects[0]!["amount"]).toBe("string")
        // The distributor sees both partners' lines.
        const all = parseCsv((yield* fetchExport("invoice-lines", { period: PERIOD }, distributorKey)).text).rows
        expect(all.some((r) => r["invoice_id"] === invoices.other)).toBe(true)
        expect(all.some((r) => r["invoice_id"] === invoices.finalized)).toBe(true)
      }))

    it.effect("a customer exports its own invoices; commissions are the channel's; a bad period or format is 422 naming it", () =>
      Effect.gen(function* () {
        const { customer, invoices } = yield* exportWorld(PERIOD)
        const customerKey = yield* createKey(customer.id)
        const own = parseCsv((yield* fetchExport("invoices", { period: PERIOD }, customerKey)).text).rows
        expect(own.map((r) => r["invoice_id"]).sort()).toEqual([invoices.finalized, invoices.paid, invoices.draft].sort())
        expectError(yield* fetchExport("commissions", { period: PERIOD }, customerKey), 403, "forbidden")
        expectError(yield* fetchExport("invoices", { period: "2026-13" }), 422, "validation_error", "period")
        expectError(yield* fetchExport("invoices", {}), 422, "validation_error", "period")
        expectError(yield* fetchExport("invoices", { period: PERIOD, format: "xlsx" }), 422, "validation_error", "format")
        // A kind that is none of the four names nothing, as any malformed path parameter.
        expectError(yield* fetchExport("payments", { period: PERIOD }), 404, "not_found", "kind")
        // A month without invoices is the header alone.
        const empty = yield* fetchExport("invoices", { period: "1999-01" }, customerKey)
        expect(empty.text).toBe(`${EXPORT_COLUMNS["invoices"].map((c) => c.name).join(",")}\r\n`)
        expect((yield* fetchExport("invoices", { period: "1999-01", format: "ndjson" }, customerKey)).text).toBe("")
      }))
  })

  it.layer(OrderingServer)("streaming", (it) => {
    it.effect("a half-read export holds no connection: other requests are answered meanwhile (the embedded database has one)", () =>
      Effect.gen(function* () {
        yield* exportWorld(PERIOD)
        const operator = yield* Effect.flatMap(Identity, (identity) => identity.platformOperator)
        const download = yield* (yield* Exports).download(operator, { kind: "invoice-lines", period: BillingMonth.make(PERIOD), format: "csv" })
        const pull = yield* Stream.toPull(download.text)
        const header = yield* pull
        expect(header.length).toBe(1)
        const firstBatch = yield* pull
        expect(firstBatch.length).toBe(1)
        // The reader stops here, mid-export: the API still answers.
        const answer = yield* call("GET", `${V1}/invoices?limit=1`).pipe(Effect.timeout("10 seconds"))
        expect(answer.status).toBe(200)
        // ... and the export then ends as any other (the pull fails with None at its end).
        const ended = yield* Effect.flip(Effect.repeat(pull, { until: () => false }))
        expect(Option.isNone(ended)).toBe(true)
      }).pipe(Effect.scoped))
  })

  it.layer(OrderingServer)("commission entries", (it) => {
    it.effect("one row per line and account above it; per account they round to the summary's commission; a partner sees only its own", () =>
      Effect.gen(function* () {
        const { distributor, distributorKey, invoices, other, otherKey, partner, partnerKey } = yield* exportWorld(PERIOD)
        const { header, rows } = parseCsv((yield* fetchExport("commissions", { period: PERIOD }, distributorKey)).text)
        expect(header).toEqual(EXPORT_COLUMNS["commissions"].map((c) => c.name))
        // Finalized and paid invoices only: not the draft.
        expect(rows.some((r) => r["invoice_id"] === invoices.draft)).toBe(false)
        expect(new Set(rows.map((r) => r["account_id"]))).toEqual(new Set([distributor.id, partner.id, other.id]))
        const summary = expectData(yield* call("GET", `${V1}/commissions/summary?period=${PERIOD}`, { key: distributorKey }))
        for (const account of summary.accounts) {
          const mine = rows.filter((r) => r["account_id"] === account.account_id && r["currency"] === account.currency)
          const exact = BigDecimal.unsafeFromString(sum(mine.map((r) => r["commission_exact"]!)))
          const rounded = BigDecimal.round(exact, { scale: 2, mode: "half-from-zero" })
          expect(BigDecimal.equals(rounded, BigDecimal.unsafeFromString(account.commission.amount)), account.account_id).toBe(true)
          expect(same(sum(mine.map((r) => r["net_amount"]!)), account.net_revenue.amount)).toBe(true)
        }
        const partnerRows = parseCsv((yield* fetchExport("commissions", { period: PERIOD }, partnerKey)).text).rows
        expect(new Set(partnerRows.map((r) => r["account_id"]))).toEqual(new Set([partner.id]))
        expect(partnerRows.every((r) => r["percentage"] === "10")).toBe(true)
        const otherRows = parseCsv((yield* fetchExport("commissions", { period: PERIOD }, otherKey)).text).rows
        expect(new Set(otherRows.map((r) => r["account_id"]))).toEqual(new Set([other.id]))
        expect(otherRows.map((r) => r["invoice_id"])).toEqual([invoices.other])
      }))
  })
})
