import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { serveReceiver } from "@provisio/adapters/testing/receivers"
import { Workers } from "@provisio/core/workers/service"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import { call, channel, expectData } from "./harness"
import { createCustomer, exampleCatalog, OrderingServer, order, SEAT, V1 } from "./ordering-fixtures"
import { realSleep, waitFor } from "./real-time"

/**
 * `Workers.layer`: the scheduler and the delivery workers as one layer, as `provisio serve`,
 * `provisio worker` and a host that embeds Provisio provide it. A loop's first turn runs as the
 * layer is built; the TestClock then holds the next, so each test sees exactly one turn.
 */

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

/** The provisioning deliveries of a customer's subscriptions: their status, and whether a worker holds them. */
const deliveriesOf = (customerId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ status: string; leased: boolean }>`
      select status, lease_until is not null as leased from deliveries
       where kind = 'provisioning' and ordering_key in (select id from subscriptions where customer_id = ${customerId})
       order by seq`).pipe(Effect.orDie)

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

    it.scoped("stopping finishes the calls in flight and records them, and claims no more", () =>
      Effect.gen(function* () {
        // Each answer takes a while, so the stop comes while the 20 calls are in flight.
        const receiver = yield* serveReceiver((_, response) => setTimeout(() => response.writeHead(204).end(), 400))
        const { customer } = yield* provisionedCustomer(receiver.url)
        yield* seats(customer.id, 20)
        const scope = yield* Scope.make()
        yield* Layer.buildWithScope(Workers.layer({ scheduler: false }), scope)
        yield* waitFor(() => receiver.calls().length === 20, "the 20 calls")
        yield* Scope.close(scope, Exit.void)

        // Closing the scope returned once the calls in flight were answered and recorded: nothing left leased.
        const rows = yield* deliveriesOf(customer.id)
        expect(rows.map((r) => [r.status, r.leased])).toEqual(Array.from({ length: 20 }, () => ["delivered", false]))
        expect(receiver.calls()).toHaveLength(20)
        // Stopped: a new order's CREATE waits for a worker.
        yield* seats(customer.id, 1)
        yield* realSleep(300)
        expect(receiver.calls()).toHaveLength(20)
      }))

    it.scoped("a stop that runs out of time interrupts the calls in flight and gives their deliveries back", () =>
      Effect.gen(function* () {
        const receiver = yield* serveReceiver((_, response) => setTimeout(() => response.writeHead(204).end(), 2_000))
        const { customer } = yield* provisionedCustomer(receiver.url)
        yield* seats(customer.id, 20)
        const scope = yield* Scope.make()
        yield* Layer.buildWithScope(Workers.layer({ scheduler: false, stopTimeout: "100 millis" }), scope)
        // At least: the CREATE the previous test left waiting goes out too.
        yield* waitFor(() => receiver.calls().length >= 20, "the 20 calls")
        // The stop's deadline is on the clock: the test moves it past while the calls are in flight.
        const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
        yield* realSleep(200)
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(closing)

        // Interrupted before any answer: nothing delivered, and every delivery is free for any
        // worker at once rather than after its lease. The provider may have acted on a call cut
        // off: it comes again (at least once), with the same webhook-id to de-duplicate on.
        const rows = yield* deliveriesOf(customer.id)
        expect(rows).toHaveLength(20)
        expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["pending"]))
        expect(rows.filter((r) => r.leased)).toEqual([])
      }))
  })
})
