import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, channel, expectData } from "./harness"
import { awaitRun, createCustomer, exampleCatalog, OrderingServer, runDue, SEAT, setNow, subscribe, V1 } from "./ordering-fixtures"
import { ledgerFigures } from "./payments-fixtures"

/**
 * Tax through billing runs and previews: subscriptions of the example catalog (UCaaS seats at
 * 12.00 a month) for customers of a German seller, billed by the 2026-11 run.
 */

const eur = (amount: string) => ({ amount, currency: "EUR" })

const world = Effect.gen(function* () {
  yield* setNow("2026-11-01T00:00:00Z")
  const catalog = yield* exampleCatalog
  const sql = yield* SqlClient.SqlClient
  const found = yield* sql<{ n: number }>`select count(*)::int as n from tax_rates where country = 'DE'`
  if ((found[0]?.n ?? 0) === 0) {
    expectData(yield* call("POST", `${V1}/tax-rates`, { body: { country: "DE", category: "standard", rate: "19.0", valid_from: "2020-01-01" } }), 201)
    expectData(yield* call("POST", `${V1}/tax-rates`, { body: { country: "FR", category: "standard", rate: "20.0", valid_from: "2020-01-01" } }), 201)
  }
  const { partner, partnerKey } = yield* channel()
  expectData(yield* call("PUT", `${V1}/settings`, { key: partnerKey, body: { legal: { name: "Fjord Telecom GmbH", country: "DE" } } }))
  const seat = catalog.plans["UCaaS Seat Monthly"]!
  const german = yield* createCustomer(partner.id, { name: "Greta", address: { country: "DE" } })
  const french = yield* createCustomer(partner.id, { name: "Florence", address: { country: "FR" } })
  const business = yield* createCustomer(partner.id, { name: "Société", address: { country: "FR" }, tax_id: "FR40303265045" })
  for (const customer of [german, french, business]) {
    yield* subscribe(customer.id, { plan_id: seat, quantity: 2, characteristics: SEAT }, partnerKey)
  }
  return { partner, partnerKey, german, french, business, seat }
}).pipe(Effect.orDie)


const invoiceOf = (customerId: string) =>
  Effect.map(call("GET", `${V1}/customers/${customerId}/invoices`), (a) => (expectData(a) as Array<any>)[0])

describe("tax in billing", () => {
  it.layer(OrderingServer)("runs and previews", (it) => {
    it.effect("plans and SKUs answer their tax treatment, with the defaults, and change it", () =>
      Effect.gen(function* () {
        const { seat } = yield* world
        expect(expectData(yield* call("GET", `${V1}/plans/${seat}`)))
          .toMatchObject({ tax_behavior: "exclusive", tax_category: "telecom", place_of_supply: "customer" })
        const sku = expectData(yield* call("POST", `${V1}/pricing`, {
          body: { code: "tax-sku-1", name: "Inclusive thing", unit: "piece", currency: "EUR", model: "per_unit", unit_price: "10.00",
                  tax_behavior: "inclusive", tax_category: "standard" }
        }), 201)
        expect(sku).toMatchObject({ tax_behavior: "inclusive", tax_category: "standard", place_of_supply: "customer" })
        expect(expectData(yield* call("PUT", `${V1}/pricing/${sku.id}`, { body: { place_of_supply: "seller" } })))
          .toMatchObject({ tax_behavior: "inclusive", place_of_supply: "seller" })
        const bad = yield* call("PUT", `${V1}/pricing/${sku.id}`, { body: { tax_behavior: "gross" } })
        expect(bad.status).toBe(422)
        expect(bad.body.error.field).toBe("tax_behavior")
      }))

    it.effect("the preview shows the tax finalization will charge", () =>
      Effect.gen(function* () {
        const { german, partnerKey } = yield* world
        yield* setNow("2026-11-20T00:00:00Z")
        const [upcoming] = expectData(yield* call("GET", `${V1}/customers/${german.id}/upcoming-invoice`, { key: partnerKey }))
        expect(upcoming).toMatchObject({
          subtotal: eur("24.00"),
          tax: [{ category: "telecom", rate: "19.0", taxable_amount: eur("24.00"), tax_amount: eur("4.56"), exemption_reason: null }],
          tax_total: eur("4.56"),
          total: eur("28.56"),
          amount_due: eur("28.56")
        })
        expect(upcoming.lines[0]).toMatchObject({ tax_rate: "19.0", tax_category: "telecom" })
      }))

    it.effect("a billing run taxes each customer's invoice: domestic, EU B2C, EU B2B reverse charge; the ledger books the gross", () =>
      Effect.gen(function* () {
        const { german, french, business, partnerKey } = yield* world
        yield* setNow("2026-12-01T00:00:00Z")
        yield* runDue
        const run = expectData(yield* call("POST", `${V1}/billing/runs`, { key: partnerKey, body: { period: "2026-11" } }), 202)
        expect((yield* awaitRun(run.id, partnerKey)).status).toBe("completed")
        expect(yield* invoiceOf(german.id)).toMatchObject({
          status: "finalized", subtotal: eur("24.00"), tax_total: eur("4.56"), total: eur("28.56"), amount_due: eur("28.56")
        })
        const fr = yield* invoiceOf(french.id)
        expect(fr).toMatchObject({ subtotal: eur("24.00"), tax_total: eur("4.80"), total: eur("28.80") })
        expect(fr.tax).toEqual([{ category: "telecom", rate: "20.0", taxable_amount: eur("24.00"), tax_amount: eur("4.80"), exemption_reason: null }])
        const b2b = yield* invoiceOf(business.id)
        expect(b2b).toMatchObject({ subtotal: eur("24.00"), tax_total: eur("0.00"), total: eur("24.00") })
        expect(b2b.tax[0].exemption_reason).toMatch(/^Reverse charge/)
        for (const customer of [german, french, business]) {
          const [figures] = yield* ledgerFigures(customer.id)
          expect(figures!.ledger).toBe(figures!.due_minus_credit)
        }
        const [figures] = yield* ledgerFigures(german.id)
        expect(figures!.ledger).toBe("28.56")
      }))
  })

  it.layer(OrderingServer)("drafts", (it) => {
    it.effect("a run with a grace period leaves drafts that already show their tax", () =>
      Effect.gen(function* () {
        const { french, partnerKey } = yield* world
        yield* setNow("2026-12-01T00:00:00Z")
        yield* runDue
        const run = expectData(yield* call("POST", `${V1}/billing/runs`, { key: partnerKey, body: { period: "2026-11", grace_period: "2 hours" } }), 202)
        expect((yield* awaitRun(run.id, partnerKey)).status).toBe("completed")
        const draft = yield* invoiceOf(french.id)
        expect(draft).toMatchObject({ status: "draft", subtotal: eur("24.00"), tax_total: eur("4.80"), total: eur("28.80"), amount_due: eur("28.80") })
        expect(draft.lines[0]).toMatchObject({ tax_rate: "20.0", tax_category: "telecom" })
      }))
  })

  it.layer(OrderingServer)("regional rates", (it) => {
    it.effect("a seller in the US charges the rate of the customer's state where one is set; a state without one is untaxed", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-01T00:00:00Z")
        const catalog = yield* exampleCatalog
        expectData(yield* call("POST", `${V1}/tax-rates`, {
          body: { country: "US", region: "TX", category: "standard", rate: "6.25", valid_from: "2020-01-01" }
        }), 201)
        const { partner, partnerKey } = yield* channel()
        expectData(yield* call("PUT", `${V1}/settings`, { key: partnerKey, body: { legal: { name: "Lone Star Voice LLC", country: "US" } } }))
        const texan = yield* createCustomer(partner.id, { name: "Tex", address: { country: "US", state: "tx" } })
        const oregonian = yield* createCustomer(partner.id, { name: "Oren", address: { country: "US", state: "OR" } })
        for (const customer of [texan, oregonian]) {
          yield* subscribe(customer.id, { plan_id: catalog.plans["UCaaS Seat Monthly"]!, quantity: 2, characteristics: SEAT }, partnerKey)
        }
        // The preview taxes lines in memory, the drafts of a run with a grace period in SQL: the same answer.
        yield* setNow("2026-11-20T00:00:00Z")
        const [upcoming] = expectData(yield* call("GET", `${V1}/customers/${texan.id}/upcoming-invoice`, { key: partnerKey }))
        expect(upcoming).toMatchObject({ subtotal: eur("24.00"), tax_total: eur("1.50"), total: eur("25.50") })
        yield* setNow("2026-12-01T00:00:00Z")
        yield* runDue
        const run = expectData(yield* call("POST", `${V1}/billing/runs`, { key: partnerKey, body: { period: "2026-11", grace_period: "2 hours" } }), 202)
        expect((yield* awaitRun(run.id, partnerKey)).status).toBe("completed")
        const draft = yield* invoiceOf(texan.id)
        expect(draft).toMatchObject({ subtotal: eur("24.00"), tax_total: eur("1.50"), total: eur("25.50") })
        expect(draft.tax).toEqual([{ category: "telecom", rate: "6.25", taxable_amount: eur("24.00"), tax_amount: eur("1.50"), exemption_reason: null }])
        expect(yield* invoiceOf(oregonian.id)).toMatchObject({ subtotal: eur("24.00"), tax: [], tax_total: eur("0.00"), total: eur("24.00") })
      }))
  })
})
