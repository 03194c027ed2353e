import { expect } from "@effect/vitest"
import { CatalogFile } from "@provisio/core/catalog/catalog-file"
import { Catalog } from "@provisio/core/catalog/service"
import { Identity } from "@provisio/core/identity/service"
import { Subscriptions } from "@provisio/core/subscriptions/service"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { type Answer, call, channel, expectData, TestServer, withSettings } from "./harness"

/**
 * What the ordering, subscription and scheduler tests share: the example catalog loaded through
 * the catalog import service, customers, orders placed over HTTP, and the clock.
 */

export const V1 = "/api/v1"

/** The test server with no rate limits: the clock stands still between requests and jumps months at a time. */
/** Settings that turn every rate limit off: tests jump the clock and call in bursts. */
export const NO_RATE_LIMITS = {
  PROVISIO_RATE_LIMIT_ADMIN: "off",
  PROVISIO_RATE_LIMIT_MANAGER: "off",
  PROVISIO_RATE_LIMIT_VIEWER: "off"
}

export const OrderingServer = withSettings(NO_RATE_LIMITS)(TestServer)

const EXAMPLE = fileURLToPath(new URL("../../../examples/catalog.json", import.meta.url))

export interface ExampleCatalog {
  /** Plan ids by name. */
  readonly plans: Record<string, string>
  /** Product ids by name. */
  readonly products: Record<string, string>
  /** SKU ids by code. */
  readonly skus: Record<string, string>
}

/**
 * examples/catalog.json, imported as the platform operator (importing again changes nothing,
 * so every test may call it), answered as ids by name.
 */
export const exampleCatalog = Effect.gen(function* () {
  const file = yield* Schema.decodeUnknown(CatalogFile)(JSON.parse(fs.readFileSync(EXAMPLE, "utf8")))
  const operator = yield* (yield* Identity).platformOperator
  const summary = yield* (yield* Catalog).importCatalog(operator, file)
  const ids = { plans: {} as Record<string, string>, products: {} as Record<string, string>, skus: {} as Record<string, string> }
  for (const item of summary.items) ids[`${item.kind}s`][item.key] = item.id
  return ids satisfies ExampleCatalog
}).pipe(Effect.orDie)

export { expectError } from "./harness"

/** Sets the test clock to an ISO instant. */
export const setNow = (iso: string) => TestClock.setTime(DateTime.toEpochMillis(DateTime.unsafeMake(iso)))

/** A billing run started over HTTP, polled until it completes or fails (it runs in the background). */
export const awaitRun = (id: string, key?: string) =>
  Effect.gen(function* () {
    for (let i = 0; i < 1000; i++) {
      const run = expectData(yield* call("GET", `${V1}/billing/runs/${id}`, { key }))
      if (run.status === "completed" || run.status === "failed") return run
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
    }
    throw new Error(`billing run ${id} did not finish`)
  })

/** The clock's time, ISO. */
export const nowIso = Effect.map(DateTime.now, DateTime.formatIso)

/** A customer of `partner_id` (the platform admin creates it unless `key` is given). */
export const createCustomer = (partner_id: string | undefined, body: Record<string, unknown> = {}, key?: string) =>
  Effect.map(
    call("POST", `${V1}/customers`, { key, body: { name: "Customer", ...(partner_id ? { partner_id } : {}), ...body } }),
    (a) => expectData(a, 201)
  )

export const draftOrder = (customer_id: string, key?: string) =>
  Effect.map(call("POST", `${V1}/orders`, { key, body: { customer_id } }), (a) => expectData(a, 201))

export const addItem = (orderId: string, body: Record<string, unknown>, key?: string) =>
  call("POST", `${V1}/orders/${orderId}/items`, { key, body })

export const checkout = (orderId: string, key?: string) => call("POST", `${V1}/orders/${orderId}/checkout`, { key })

/**
 * Draft -> one item per body -> checkout, which must complete: the completed order. Its items'
 * `subscription_id`s are the subscriptions it created.
 */
export const order = (customerId: string, items: ReadonlyArray<Record<string, unknown>>, key?: string) =>
  Effect.gen(function* () {
    const draft = yield* draftOrder(customerId, key)
    for (const item of items) expectData(yield* addItem(draft.id, item, key), 201)
    const done = expectData(yield* checkout(draft.id, key))
    expect(done.status, JSON.stringify(done)).toBe("completed")
    return done
  })

/** One new subscription through an order of one item: the subscription. */
export const subscribe = (customerId: string, item: Record<string, unknown>, key?: string) =>
  Effect.gen(function* () {
    const done = yield* order(customerId, [{ quantity: 1, ...item }], key)
    return expectData(yield* call("GET", `${V1}/subscriptions/${done.items[0].subscription_id}`, { key }))
  })

export const getSubscription = (id: string, key?: string) =>
  Effect.map(call("GET", `${V1}/subscriptions/${id}`, { key }), (a) => expectData(a))

/** Every event of the caller's scope (of `type` when given), following the cursor. */
export const events = (query: { readonly type?: string; readonly customer_id?: string } = {}, key?: string) =>
  Effect.gen(function* () {
    const all: Array<any> = []
    let cursor: string | null = null
    do {
      const params = new URLSearchParams({ limit: "200" })
      if (query.type) params.set("type", query.type)
      if (query.customer_id) params.set("customer_id", query.customer_id)
      if (cursor) params.set("cursor", cursor)
      const answer: Answer = yield* call("GET", `${V1}/events?${params}`, { key })
      all.push(...expectData(answer))
      cursor = answer.body.meta.page.next_cursor
    } while (cursor)
    return all
  })

/** The events about one subscription, oldest first. */
export const eventsOf = (subscriptionId: string) =>
  Effect.map(events({ type: "subscription.*" }), (all) => all.filter((e) => e.data.subscription.id === subscriptionId))

/** The scheduler, as `provisio scheduler --once` runs it, at the clock's time. */
export const runDue = Effect.flatMap(Subscriptions, (subscriptions) => subscriptions.runDue())

/** UCaaS seat characteristics the product requires. */
export const SEAT = { edition: "standard" }

/** SIP trunk characteristics the product requires. */
export const TRUNK = { channels: 30, codec: "G.722" }

/** A partner with a customer subscribed to the SIP trunk plan (voice-minutes metered) at the clock's time. */
export const trunkWorld = Effect.gen(function* () {
  const catalog = yield* exampleCatalog
  const { partner, partnerKey, distributorKey } = yield* channel()
  const customer = yield* createCustomer(partner.id)
  const trunk = yield* subscribe(
    customer.id,
    { plan_id: catalog.plans["SIP Trunk Channel Monthly"], characteristics: TRUNK },
    partnerKey
  )
  return { catalog, partner, partnerKey, distributorKey, customer, trunk }
})
