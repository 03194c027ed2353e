import { describe, expect, it } from "@effect/vitest"
import { EventLogLive } from "@provisio/adapters/postgres/events"
import { serveReceiver } from "@provisio/adapters/testing/receivers"
import { Deliveries } from "@provisio/core/deliveries/service"
import { EventLog } from "@provisio/core/events/ports"
import { newEvent } from "@provisio/core/events/service"
import { Identity } from "@provisio/core/identity/service"
import { Workers } from "@provisio/core/workers/service"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as crypto from "node:crypto"
import { call, channel, expectData } from "./harness"
import { createCustomer, exampleCatalog, OrderingServer, order, SEAT, V1 } from "./ordering-fixtures"
import { realSleep, waitFor } from "./real-time"

/**
 * The delivery engine at work (docs/push.md, "The delivery engine"): a dead provider does not
 * hold back a live one (per-target caps, then its circuit opens and its calls wait, visible in
 * /deliveries and /deliveries/stats), and idle workers wake on new events without polling.
 */

/** `count` subscription.created events for `productId` in the platform's scope (one subscription each). */
const created = (productId: string, count: number) =>
  Effect.gen(function* () {
    const platform = (yield* (yield* Identity).platformOperator).account_id
    const events = yield* Effect.forEach(Array.from({ length: count }), () =>
      newEvent("subscription.created", { customer_id: null, lineage: [platform] }, {
        subscription: { id: `sub_${crypto.randomBytes(10).toString("hex")}`, product_id: productId, status: "active", quantity: 1 }
      }))
    yield* (yield* EventLog).append(events)
  }).pipe(Effect.provide(EventLogLive))

const target = (productId: string, base_url: string, timeout_ms: number) =>
  call("PUT", `${V1}/products/${productId}/provisioning`, { body: { base_url, endpoints: ["subscriptions"], timeout_ms } })

describe("delivery engine", () => {
  it.layer(OrderingServer, { timeout: 60_000 })("isolation", (it) => {
    it.scoped("a dead provider holds back no other: the live one is served at once, the dead one's circuit opens and its calls wait", () =>
      Effect.gen(function* () {
        const catalog = yield* exampleCatalog
        const dead = catalog.products["UCaaS Seat"]!
        const live = catalog.products["SIP Trunk"]!
        // The dead provider accepts connections and never answers; the live one answers at once.
        const hanging = yield* serveReceiver(() => {})
        const arrivals: Array<number> = []
        const answering = yield* serveReceiver((_call, response) => {
          arrivals.push(Date.now())
          response.writeHead(204).end()
        })
        expectData(yield* target(dead, hanging.url, 4_000))
        expectData(yield* target(live, answering.url, 4_000))
        yield* created(dead, 40)
        yield* created(live, 40)

        const started = Date.now()
        const run = yield* Effect.fork(Effect.flatMap(Deliveries, (deliveries) => deliveries.runOnce))
        // Every call to the live provider is answered while the dead one's calls still hang.
        yield* waitFor(() => arrivals.length === 40, "the live provider's 40 calls", 30_000)
        expect(Math.max(...arrivals) - started).toBeLessThan(4_000)
        expect(hanging.calls().length).toBeGreaterThan(0)
        const done = yield* Fiber.join(run)
        expect(done.delivered).toBe(40)

        // The dead provider's calls that timed out opened its circuit: the rest wait, none dead.
        const stats = expectData(yield* call("GET", `${V1}/deliveries/stats`))
        const deadStats = stats.targets.find((t: any) => t.target === dead)
        const liveStats = stats.targets.find((t: any) => t.target === live)
        expect(deadStats).toMatchObject({ kind: "provisioning", queued: 40, dead: 0, circuit: "open" })
        expect(deadStats.consecutive_failures).toBeGreaterThanOrEqual(5)
        expect(deadStats.failures).toBe(deadStats.attempts)
        expect(deadStats.open_until).toEqual(expect.any(String))
        expect(liveStats).toMatchObject({ queued: 0, in_flight: 0, failures: 0, attempts: 40, failure_rate: 0, circuit: "closed" })
        expect(liveStats.lag_p99_ms).toEqual(expect.any(Number))
        expect(stats.queued).toBeGreaterThanOrEqual(40)

        // Visible as waiting in /deliveries: each queued call of the dead provider is held until the circuit's back-off ends.
        const waiting = expectData(yield* call("GET", `${V1}/deliveries?target=${dead}&limit=200`)) as Array<any>
        expect(waiting).toHaveLength(40)
        for (const delivery of waiting) {
          expect(["pending", "retrying"]).toContain(delivery.status)
          expect(delivery.held_until).toBe(deadStats.open_until)
        }
        const served = expectData(yield* call("GET", `${V1}/deliveries?target=${live}&limit=200`)) as Array<any>
        expect(served.every((delivery) => delivery.status === "delivered" && delivery.held_until === null)).toBe(true)
        // A second turn sends nothing to the dead provider while its circuit is open.
        const before = hanging.calls().length
        const again = yield* Effect.flatMap(Deliveries, (deliveries) => deliveries.runOnce)
        expect(again.sent).toBe(0)
        expect(hanging.calls().length).toBe(before)
      }))
  })

  it.layer(OrderingServer, { timeout: 60_000 })("wake-ups", (it) => {
    it.scoped("an idle worker sends a new order's CREATE at once: the database wakes it (the clock stands still, so no idle interval passes)", () =>
      Effect.gen(function* () {
        const receiver = yield* serveReceiver((_call, response) => response.writeHead(204).end())
        const catalog = yield* exampleCatalog
        expectData(yield* target(catalog.products["UCaaS Seat"]!, receiver.url, 4_000))
        const { partner } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        yield* Layer.build(Workers.layer({ scheduler: false }))
        // The workers found nothing to do and went idle.
        yield* realSleep(300)
        expect(receiver.calls()).toHaveLength(0)
        const done = yield* order(customer.id, [{ plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 1, characteristics: SEAT }])
        yield* waitFor(() => receiver.calls().length === 1, "the CREATE", 10_000)
        expect(JSON.parse(receiver.calls()[0]!.body)).toMatchObject({
          action: "CREATE",
          subscription: { id: done.items[0].subscription_id }
        })
      }))
  })
})
