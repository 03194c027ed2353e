import { expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, createDistributor, createKey, createPartner, expectData } from "./harness"
import { createCustomer, setNow, V1 } from "./ordering-fixtures"

/**
 * The worked example of docs/channel.md "How a price is resolved": a plan listed at 10.00 EUR a
 * seat a month; the platform sells it to a distributor at 30 % off (7.00), the distributor to
 * its partner at +20 % (8.40), the partner to its customer at a fixed 11.99. Beside them: a
 * second partner of the same distributor and a second distributor, for the access rules.
 */

export const eur = (amount: string) => ({ amount, currency: "EUR" })

let plans = 0

/** A product and a published plan at `price` EUR a month, made by the platform admin. */
export const planAt = (price: string, sku_ids: ReadonlyArray<string> = []) =>
  Effect.gen(function* () {
    const n = ++plans
    const product = expectData(yield* call("POST", `${V1}/products`, { body: { name: `Seats ${n} ${Math.random()}`, type: "license" } }), 201)
    const plan = expectData(yield* call("POST", `${V1}/plans`, {
      body: { product_id: product.id, name: `Seat ${n} ${Math.random()}`, price: eur(price), billing_interval: "month", sku_ids }
    }), 201)
    expectData(yield* call("POST", `${V1}/plans/${plan.id}/publish`))
    return { product, plan }
  })

/** A price list made with `key`, assigned with `assignment` when given; answers it. */
export const priceList = (
  key: string | undefined,
  body: Record<string, unknown>,
  assignment?: Record<string, unknown>
) =>
  Effect.gen(function* () {
    const list = expectData(yield* call("POST", `${V1}/price-lists`, {
      key,
      body: { name: "List", currency: "EUR", valid_from: "2026-01-01", ...body }
    }), 201)
    if (assignment === undefined) return list
    return expectData(yield* call("PUT", `${V1}/price-lists/${list.id}/assignments`, { key, body: assignment }))
  })

export const workedExample = Effect.gen(function* () {
  yield* setNow("2026-11-01T00:00:00Z")
  const { plan, product } = yield* planAt("10.00")
  const distributor = yield* createDistributor("Nordic Distribution")
  const partner = yield* createPartner(distributor.id, "standard", "Fjord Telecom")
  const sibling = yield* createPartner(distributor.id, "standard", "Sibling Telecom")
  const otherDistributor = yield* createDistributor("Other Distribution")
  const keys = {
    distributor: yield* createKey(distributor.id),
    partner: yield* createKey(partner.id),
    sibling: yield* createKey(sibling.id),
    otherDistributor: yield* createKey(otherDistributor.id)
  }
  const customer = yield* createCustomer(partner.id, { name: "Customer of Fjord" }, keys.partner)
  const lists = {
    platform: yield* priceList(undefined, { name: "Wholesale", rules: [{ all: true, type: "discount_percent", value: "30" }] },
      { account_ids: [distributor.id] }),
    distributor: yield* priceList(keys.distributor, { name: "Reseller", rules: [{ all: true, type: "markup_percent", value: "20" }] },
      { all: true }),
    partner: yield* priceList(keys.partner, { name: "Retail", rules: [{ plan_id: plan.id, type: "fixed", value: "11.99" }] },
      { customer_ids: [customer.id] }),
    sibling: yield* priceList(keys.sibling, { name: "Sibling retail", rules: [{ all: true, type: "markup_percent", value: "50" }] })
  }
  return { plan, product, distributor, partner, sibling, otherDistributor, keys, customer, lists }
}).pipe(Effect.orDie)

/** Waits (in real time: the run works in a fiber of its own) until the run has finished. */

/** The customer's newest invoice. */
export const invoiceOf = (customerId: string, key?: string) =>
  Effect.map(call("GET", `${V1}/customers/${customerId}/invoices`, { key }), (a) => (expectData(a) as Array<any>)[0])

/** Re-exported for the channel tests that import it from here. */
export { awaitRun } from "./ordering-fixtures"

/** The largest price a plan, a SKU or a price list may have (12 digits before the point). */
export const LARGEST = "999999999999.99"

/** A SKU at `unit_price` EUR a minute, made by the platform admin. */
export const skuAt = (code: string, unit_price: string) =>
  Effect.map(call("POST", `${V1}/pricing`, {
    body: { code: `${code}-${Math.random().toString(36).slice(2, 8)}`, name: code, unit: "minute", currency: "EUR", model: "per_unit", unit_price }
  }), (a) => expectData(a, 201))

/**
 * Every read of an order that a price list's price reaches: the order itself, the lists of the
 * partner, its distributor and the platform, and the customer's. Answers the order as read.
 */
export const readOrderEverywhere = (orderId: string, customerId: string, keys: { readonly partner: string; readonly distributor: string }) =>
  Effect.gen(function* () {
    const read = expectData(yield* call("GET", `${V1}/orders/${orderId}`, { key: keys.partner }))
    for (const key of [keys.partner, keys.distributor, undefined]) {
      const listed = expectData(yield* call("GET", `${V1}/orders?limit=200`, { key })) as Array<any>
      expect(listed.map((o) => o.id)).toContain(orderId)
    }
    const ofCustomer = expectData(yield* call("GET", `${V1}/customers/${customerId}/orders`, { key: keys.partner })) as Array<any>
    expect(ofCustomer.map((o) => o.id)).toContain(orderId)
    return read
  })
