import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { serveReceiver } from "@provisio/adapters/testing/receivers"
import { Workers } from "@provisio/core/workers/service"
import { Effect, Exit, Layer, Scope } from "effect"
import { call, channel, expectData } from "./harness"
import { createCustomer, exampleCatalog, OrderingServer, order, SEAT, V1 } from "./ordering-fixtures"

/**
 * `Workers.layer`: the scheduler and the delivery workers as one layer, as `provisio serve`,
 * `provisio worker` and a host that embeds Provisio provide it. A loop's first turn runs as the
 * layer is built; the TestClock then holds the next, so each test sees exactly one turn.
 */

const realSleep = (millis: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

const waitFor = (condition: () => boolean, what: string) =>
  Effect.gen(function* () {
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline) {
      if (condition()) return
      yield* realSleep(20)
    }
    throw new Error(`timed out waiting for ${what}`)
  })

/** The UCaaS seat product pushing to `url`, and a customer of a new partner. */
const provisionedCustomer = (url: string) =>
  Effect.gen(function* () {
    const catalog = yield* exampleCatalog
    const product = catalog.products["UCaaS Seat"]!
    expectData(yield* call("PUT", `${V1}/products/${product}/provisioning`, {
      body: { base_url: url, endpoints: ["subscriptions"], timeout_ms: 5000 }
    }))
    const { partner } = yield* channel()
    const customer = yield* createCustomer(partner.id)
    return { catalog, customer }
  })

/** Seats ordered in one order: each a subscription, each its own CREATE. */
const seats = (customerId: string, count: number) =>
  Effect.flatMap(exampleCatalog, (catalog) =>
    order(customerId, Array.from({ length: count }, () => ({ plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 1, characteristics: SEAT }))))

describe("workers", () => {
  it.layer(OrderingServer)("Workers.layer", (it) => {
    it.scoped("a subscription ordered reaches the provider as a signed CREATE, with no one calling the engine", () =>
      Effect.gen(function* () {
        const receiver = yield* serveReceiver((_, response) => response.writeHead(204).end())
        const { customer } = yield* provisionedCustomer(receiver.url)
        const done = yield* seats(customer.id, 1)
        yield* Layer.build(Workers.layer())
        yield* waitFor(() => receiver.calls().length === 1, "the CREATE")
        const [received] = receiver.calls()
        expect(received!.path).toBe("/subscriptions")
        expect(JSON.parse(received!.body)).toMatchObject({ action: "CREATE", subscription: { id: done.items[0].subscription_id } })
        expect(received!.headers["webhook-signature"]).toMatch(/^v1,/)
      }))

    it.scoped("stopping finishes the calls in flight and gives the claimed ones it had not started back", () =>
      Effect.gen(function* () {
        // Each answer takes a while, so the stop comes while 16 calls are in flight and 4 wait.
        const receiver = yield* serveReceiver((_, response) => setTimeout(() => response.writeHead(204).end(), 400))
        const { customer } = yield* provisionedCustomer(receiver.url)
        yield* seats(customer.id, 20)
        const scope = yield* Scope.make()
        yield* Layer.buildWithScope(Workers.layer({ scheduler: false }), scope)
        yield* waitFor(() => receiver.calls().length === 16, "the first 16 calls")
        yield* Scope.close(scope, Exit.void)

        // Closing the scope returned once the calls in flight were answered and recorded.
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ status: string; leased: boolean }>`
          select status, lease_until is not null as leased from deliveries
           where kind = 'provisioning' and ordering_key in (
             select id from subscriptions where customer_id = ${customer.id})`
        expect(rows).toHaveLength(20)
        expect(rows.filter((r) => r.status === "delivered")).toHaveLength(16)
        const waiting = rows.filter((r) => r.status !== "delivered")
        expect(waiting.map((r) => [r.status, r.leased])).toEqual(Array.from({ length: 4 }, () => ["pending", false]))
        expect(receiver.calls()).toHaveLength(16)
      }))
  })
})
