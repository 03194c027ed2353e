import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Invoices } from "@provisio/core/invoices/service"
import { EXEMPT_REASON, OUTSIDE_SCOPE_REASON, REVERSE_CHARGE_REASON } from "@provisio/core/tax/rules"
import * as Effect from "effect/Effect"
import { call, channel, expectData, expectError } from "./harness"
import { type DraftLine, draftInvoice } from "./invoice-fixtures"
import { createCustomer, OrderingServer, V1 } from "./ordering-fixtures"
import { ledgerFigures } from "./payments-fixtures"

/**
 * Tax end to end against the database: the rate table, the built-in calculator's rules on
 * finalized invoices, the breakdown's rounding, tax-inclusive prices, a rate change at the new
 * year, credit after tax and the ledger. The numbers are docs/tax.md's worked examples.
 */

const eur = (amount: string) => ({ amount, currency: "EUR" })

const rate = (body: Record<string, unknown>) => call("POST", `${V1}/tax-rates`, { body })

/** The rates the examples use: Germany 19 % until the end of 2026, then (hypothetically) 21 %; France 20 %; Switzerland 8.1 %. */
const rates = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const found = yield* sql<{ n: number }>`select count(*)::int as n from tax_rates where country = 'DE'`
  if ((found[0]?.n ?? 0) > 0) return
  expectData(yield* rate({ country: "DE", category: "standard", rate: "19.0", valid_from: "2020-01-01", valid_to: "2027-01-01" }), 201)
  expectData(yield* rate({ country: "DE", category: "standard", rate: "21.0", valid_from: "2027-01-01" }), 201)
  expectData(yield* rate({ country: "FR", category: "standard", rate: "20.0", valid_from: "2020-01-01" }), 201)
  expectData(yield* rate({ country: "CH", category: "standard", rate: "8.1", valid_from: "2024-01-01" }), 201)
}).pipe(Effect.orDie)

/** A partner selling from Germany, and its partner key. */
const germanSeller = Effect.gen(function* () {
  yield* rates
  const { partner, partnerKey } = yield* channel()
  expectData(yield* call("PUT", `${V1}/settings`, {
    key: partnerKey,
    body: { legal: { name: "Fjord Telecom GmbH", country: "DE", tax_id: "DE811907980" } }
  }))
  return { partner, partnerKey }
})

/**
 * A draft of the lines, each served from `serviceDate` (their period start), finalized by
 * `Invoices.finalizeMany`: answered as the API shows it.
 */
const invoiceOf = (customerId: string, lines: ReadonlyArray<DraftLine & { readonly from?: string }>, serviceDate = "2026-11-01") =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const id = yield* draftInvoice({ customerId, lines })
    for (const [position, line] of lines.entries()) {
      yield* sql`update invoice_lines set period_start = ${`${line.from ?? serviceDate}T00:00:00Z`}::timestamptz
                  where invoice_id = ${id} and position = ${position}`
    }
    yield* (yield* Invoices).finalizeMany([id])
    return expectData(yield* call("GET", `${V1}/invoices/${id}`))
  }).pipe(Effect.orDie)

const charge = (amount: string, extra: Partial<DraftLine> = {}): DraftLine & { from?: string } =>
  ({ kind: "one_off", description: "Service", quantity: "1", unit_price: amount, amount, ...extra })

describe("tax", () => {
  it.layer(OrderingServer)("the rate table", (it) => {
    it.effect("platform admins write rates, everyone reads them; overlaps are 409, bad fields 422 naming the field", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const created = expectData(yield* rate({ country: "AT", category: "standard", rate: "20.0", valid_from: "2020-01-01" }), 201)
        expect(created).toMatchObject({ country: "AT", region: null, category: "standard", rate: "20.0", valid_from: "2020-01-01", valid_to: null })
        expect(created.id).toMatch(/^txr_/)
        expectError(yield* call("POST", `${V1}/tax-rates`, {
          key: partnerKey, body: { country: "AT", category: "reduced", rate: "10.0", valid_from: "2020-01-01" }
        }), 403, "forbidden")
        expect(expectData(yield* call("GET", `${V1}/tax-rates/${created.id}`, { key: partnerKey })).rate).toBe("20.0")
        expect(expectData(yield* call("GET", `${V1}/tax-rates?country=AT`, { key: partnerKey })).map((r: { id: string }) => r.id))
          .toEqual([created.id])

        // A second open row for AT standard shares days with the first.
        expectError(yield* rate({ country: "AT", category: "standard", rate: "21.0", valid_from: "2027-01-01" }), 409, "invalid_state", "valid_from")
        // Ending the first makes room.
        expectData(yield* call("PUT", `${V1}/tax-rates/${created.id}`, { body: { valid_to: "2027-01-01" } }))
        const next = expectData(yield* rate({ country: "AT", category: "standard", rate: "21.0", valid_from: "2027-01-01" }), 201)
        // A region's row is another row.
        expectData(yield* rate({ country: "AT", region: "Jungholz", category: "standard", rate: "19.0", valid_from: "2020-01-01" }), 201)

        expectError(yield* rate({ country: "AT", category: "reduced", rate: "19,0", valid_from: "2020-01-01" }), 422, "validation_error", "rate")
        expectError(yield* rate({ country: "AT", category: "reduced", rate: 19, valid_from: "2020-01-01" }), 422, "validation_error", "rate")
        expectError(yield* rate({ country: "AT", category: "luxury", rate: "19.0", valid_from: "2020-01-01" }), 422, "validation_error", "category")
        expectError(yield* rate({ country: "Austria", category: "reduced", rate: "10.0", valid_from: "2020-01-01" }), 422, "validation_error", "country")
        expectError(yield* rate({ country: "AT", category: "reduced", rate: "10.0", valid_from: "2020-02-30" }), 422, "validation_error", "valid_from")
        expectError(yield* rate({ country: "AT", category: "reduced", rate: "10.0", valid_from: "2020-01-01", valid_to: "2020-01-01" }), 422, "validation_error", "valid_to")

        expect((yield* call("DELETE", `${V1}/tax-rates/${next.id}`, { key: partnerKey })).status).toBe(403)
        expect((yield* call("DELETE", `${V1}/tax-rates/${next.id}`)).status).toBe(204)
        expectError(yield* call("GET", `${V1}/tax-rates/${next.id}`), 404, "not_found")
        expectError(yield* call("DELETE", `${V1}/tax-rates/${next.id}`), 404, "not_found")
      }))
  })

  it.layer(OrderingServer)("invoices", (it) => {
    it.effect("domestic B2C: the seller's rate (telecom falls back to standard), tax on the sum per rate, half-up", () =>
      Effect.gen(function* () {
        const { partner } = yield* germanSeller
        const customer = yield* createCustomer(partner.id, { address: { country: "DE" } })
        const invoice = yield* invoiceOf(customer.id, [charge("49.90"), charge("0.03"), charge("0.03"), charge("0.03")])
        expect(invoice.lines.map((l: { tax_rate: string; tax_category: string }) => [l.tax_rate, l.tax_category]))
          .toEqual(Array(4).fill(["19.0", "telecom"]))
        // 19 % of 49.99 is 9.4981: 9.50 (line by line it would be 9.48 + 3 x 0.01 = 9.51).
        expect(invoice.tax).toEqual([
          { category: "telecom", rate: "19.0", taxable_amount: eur("49.99"), tax_amount: eur("9.50"), exemption_reason: null }
        ])
        expect(invoice).toMatchObject({ subtotal: eur("49.99"), tax_total: eur("9.50"), total: eur("59.49"), amount_due: eur("59.49") })
        // The ledger books the gross.
        const [figures] = yield* ledgerFigures(customer.id)
        expect(figures).toEqual({ currency: "EUR", ledger: "59.49", due_minus_credit: "59.49" })
      }))

    it.effect("EU B2B cross-border with a tax id: reverse charge, 0 % with the legal mention", () =>
      Effect.gen(function* () {
        const { partner } = yield* germanSeller
        const customer = yield* createCustomer(partner.id, { address: { country: "FR" }, tax_id: "FR40303265045" })
        const invoice = yield* invoiceOf(customer.id, [charge("100.00")])
        expect(invoice.lines[0]).toMatchObject({ tax_rate: "0", tax_category: "telecom" })
        expect(invoice.tax).toEqual([
          { category: "telecom", rate: "0", taxable_amount: eur("100.00"), tax_amount: eur("0.00"), exemption_reason: REVERSE_CHARGE_REASON }
        ])
        expect(invoice).toMatchObject({ subtotal: eur("100.00"), tax_total: eur("0.00"), total: eur("100.00") })
      }))

    it.effect("EU B2C cross-border: the customer's country's rate (place of supply)", () =>
      Effect.gen(function* () {
        const { partner } = yield* germanSeller
        const customer = yield* createCustomer(partner.id, { address: { country: "FR" } })
        const invoice = yield* invoiceOf(customer.id, [charge("100.00")])
        expect(invoice.tax).toEqual([
          { category: "telecom", rate: "20.0", taxable_amount: eur("100.00"), tax_amount: eur("20.00"), exemption_reason: null }
        ])
        expect(invoice.total).toEqual(eur("120.00"))
      }))

    it.effect("exempt customers pay 0 with the reason; outside the EU: 0 unless a rate row exists there", () =>
      Effect.gen(function* () {
        const { partner } = yield* germanSeller
        const exempt = yield* createCustomer(partner.id, { address: { country: "DE" }, tax_exempt: "exempt" })
        expect((yield* invoiceOf(exempt.id, [charge("100.00")])).tax).toEqual([
          { category: "telecom", rate: "0", taxable_amount: eur("100.00"), tax_amount: eur("0.00"), exemption_reason: EXEMPT_REASON }
        ])
        const american = yield* createCustomer(partner.id, { address: { country: "US" } })
        const us = yield* invoiceOf(american.id, [charge("100.00")])
        expect(us.tax).toEqual([
          { category: "telecom", rate: "0", taxable_amount: eur("100.00"), tax_amount: eur("0.00"), exemption_reason: OUTSIDE_SCOPE_REASON }
        ])
        expect(us.total).toEqual(eur("100.00"))
        const swiss = yield* createCustomer(partner.id, { address: { country: "CH" } })
        expect((yield* invoiceOf(swiss.id, [charge("100.00")])).tax).toEqual([
          { category: "telecom", rate: "8.1", taxable_amount: eur("100.00"), tax_amount: eur("8.10"), exemption_reason: null }
        ])
      }))

    it.effect("a rate change at the new year applies by each line's service date", () =>
      Effect.gen(function* () {
        const { partner } = yield* germanSeller
        const customer = yield* createCustomer(partner.id, { address: { country: "DE" } })
        const invoice = yield* invoiceOf(customer.id, [
          { ...charge("100.00", { kind: "recurring", description: "December" }), from: "2026-12-01" },
          { ...charge("100.00", { kind: "recurring", description: "January" }), from: "2027-01-01" }
        ])
        expect(invoice.lines.map((l: { tax_rate: string }) => l.tax_rate)).toEqual(["19.0", "21.0"])
        expect(invoice.tax).toEqual([
          { category: "telecom", rate: "19.0", taxable_amount: eur("100.00"), tax_amount: eur("19.00"), exemption_reason: null },
          { category: "telecom", rate: "21.0", taxable_amount: eur("100.00"), tax_amount: eur("21.00"), exemption_reason: null }
        ])
        expect(invoice).toMatchObject({ subtotal: eur("200.00"), tax_total: eur("40.00"), total: eur("240.00") })
      }))

    it.effect("customer credit is applied after tax: it lowers amount_due, not the taxable amount; the ledger holds", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* germanSeller
        const customer = yield* createCustomer(partner.id, { address: { country: "DE" } })
        expectData(yield* call("POST", `${V1}/credits`, { key: partnerKey, body: { customer_id: customer.id, amount: eur("50.00"), reason: "Goodwill" } }), 201)
        const invoice = yield* invoiceOf(customer.id, [charge("100.00")])
        expect(invoice).toMatchObject({ subtotal: eur("100.00"), tax_total: eur("19.00"), total: eur("69.00"), amount_due: eur("69.00") })
        expect(invoice.tax[0].taxable_amount).toEqual(eur("100.00"))
        expect(invoice.lines.at(-1)).toMatchObject({ kind: "credit", amount: "-50.00", tax_rate: null, tax_category: null })
        // More credit than the gross: it covers 119.00, no more.
        const big = yield* createCustomer(partner.id, { address: { country: "DE" } })
        expectData(yield* call("POST", `${V1}/credits`, { key: partnerKey, body: { customer_id: big.id, amount: eur("500.00"), reason: "Goodwill" } }), 201)
        const covered = yield* invoiceOf(big.id, [charge("100.00")])
        expect(covered).toMatchObject({ status: "paid", total: eur("0.00"), amount_due: eur("0.00"), tax_total: eur("19.00") })
        for (const id of [customer.id, big.id]) {
          const [figures] = yield* ledgerFigures(id)
          expect(figures!.ledger).toBe(figures!.due_minus_credit)
        }
      }))

    it.effect("tax-inclusive prices: each line's net is derived from its gross, then taxed on the sum", () =>
      Effect.gen(function* () {
        const { partner } = yield* germanSeller
        const sku = expectData(yield* call("POST", `${V1}/pricing`, {
          body: { code: "inclusive-box", name: "Box", unit: "piece", currency: "EUR", model: "per_unit", unit_price: "10.00", tax_behavior: "inclusive" }
        }), 201)
        const customer = yield* createCustomer(partner.id, { address: { country: "DE" } })
        // 29.99 gross: 29.99 x 100 / 119 = 25.2017 -> 25.20 net; 19 % of 25.20 = 4.788 -> 4.79; 29.99 again.
        const one = yield* invoiceOf(customer.id, [charge("29.99", { sku_id: sku.id })])
        expect(one.lines[0]).toMatchObject({ amount: "25.20", unit_price: "29.99", tax_rate: "19.0" })
        expect(one).toMatchObject({ subtotal: eur("25.20"), tax_total: eur("4.79"), total: eur("29.99") })
        // Two of 10.00: 8.40 net each, 16.80 taxed at 19 % = 3.192 -> 3.19: 19.99, a cent under the gross sum.
        const two = yield* invoiceOf(customer.id, [charge("10.00", { sku_id: sku.id }), charge("10.00", { sku_id: sku.id })])
        expect(two.lines.map((l: { amount: string }) => l.amount)).toEqual(["8.40", "8.40"])
        expect(two).toMatchObject({ subtotal: eur("16.80"), tax_total: eur("3.19"), total: eur("19.99") })
      }))

    it.effect("a SKU with place_of_supply seller is taxed in the seller's country for EU consumers", () =>
      Effect.gen(function* () {
        const { partner } = yield* germanSeller
        const sku = expectData(yield* call("POST", `${V1}/pricing`, {
          body: { code: "seller-supplied", name: "On-site install", unit: "visit", currency: "EUR", model: "per_unit", unit_price: "100.00",
                  tax_category: "standard", place_of_supply: "seller" }
        }), 201)
        const customer = yield* createCustomer(partner.id, { address: { country: "FR" } })
        const invoice = yield* invoiceOf(customer.id, [charge("100.00", { sku_id: sku.id }), charge("100.00")])
        expect(invoice.tax).toEqual([
          { category: "standard", rate: "19.0", taxable_amount: eur("100.00"), tax_amount: eur("19.00"), exemption_reason: null },
          { category: "telecom", rate: "20.0", taxable_amount: eur("100.00"), tax_amount: eur("20.00"), exemption_reason: null }
        ])
        expect(invoice.total).toEqual(eur("239.00"))
      }))

    it.effect("an issuer with no country configured charges no tax: lines untaxed, breakdown empty", () =>
      Effect.gen(function* () {
        yield* rates
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id, { address: { country: "DE" } })
        const invoice = yield* invoiceOf(customer.id, [charge("100.00")])
        expect(invoice).toMatchObject({ tax: [], tax_total: eur("0.00"), subtotal: eur("100.00"), total: eur("100.00") })
        expect(invoice.lines[0]).toMatchObject({ tax_rate: null, tax_category: null })
      }))
  })
})
