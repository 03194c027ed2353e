import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { type ReceivedCall, serveReceiver } from "@provisio/adapters/testing/receivers"
import { Deliveries } from "@provisio/core/deliveries/service"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import type { ServerResponse } from "node:http"
import { call, channel, expectData, expectError } from "./harness"
import { createCustomer, events, exampleCatalog, OrderingServer, order, SEAT, setNow, subscribe, V1 } from "./ordering-fixtures"
import { waitFor } from "./real-time"

/**
 * The delivery engine against real receivers on loopback: the clock is the TestClock, moved past
 * each retry's `next_attempt_at`; `runOnce` is what a worker does in one turn.
 */

const runOnce = Effect.flatMap(Deliveries, (deliveries) => deliveries.runOnce)

type Mode = "ack" | "configuration" | "503" | "400" | "hang"

/** A receiver whose answer is switched by the test. */
const switchable = (initial: Mode) =>
  Effect.gen(function* () {
    const state = { mode: initial as Mode }
    const receiver = yield* serveReceiver((_call: ReceivedCall, response: ServerResponse) => {
      switch (state.mode) {
        case "ack":
          response.writeHead(204).end()
          return
        case "configuration":
          response.writeHead(200, { "content-type": "application/json" })
            .end(JSON.stringify({ configuration: { sip_server: "sip.provider.example", ports: [5060, 5061] } }))
          return
        case "503":
          response.writeHead(503, { "content-type": "text/plain" }).end("busy")
          return
        case "400":
          response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: "unknown plan" }))
          return
        case "hang":
          return
      }
    })
    return { receiver, state }
  })

/**
 * The UCaaS seat product with a target at `url`, a customer, and its id. The time-out is far
 * beyond a receiver's few milliseconds unless a test is about time-outs: on a loaded machine the
 * database can hold the event loop long enough for a 2 s one to expire, and a call retried later
 * than the test looks is not what these tests are about.
 */
const setUp = (url: string, timeout_ms = 30_000) =>
  Effect.gen(function* () {
    yield* setNow("2026-04-01T08:00:00Z")
    const catalog = yield* exampleCatalog
    const product = catalog.products["UCaaS Seat"]!
    expectData(yield* call("PUT", `${V1}/products/${product}/provisioning`, {
      body: { base_url: url, endpoints: ["subscriptions"], timeout_ms }
    }))
    const { partner, partnerKey } = yield* channel()
    const customer = yield* createCustomer(partner.id)
    return { catalog, product, customer, partnerKey }
  })

const seat = (customerId: string, quantity = 1) =>
  Effect.flatMap(exampleCatalog, (catalog) =>
    subscribe(customerId, { plan_id: catalog.plans["UCaaS Seat Monthly"], quantity, characteristics: SEAT }))

const deliveriesOf = (query = "") =>
  Effect.map(call("GET", `${V1}/deliveries?limit=200${query}`), (a) => expectData(a) as Array<any>)

const detail = (id: string) => Effect.map(call("GET", `${V1}/deliveries/${id}`), (a) => expectData(a))

describe("deliveries", () => {
  it.layer(OrderingServer)("acknowledgement and configuration", (it) => {
    it.scoped("an acknowledged CREATE is delivered with its attempt; a configuration is stored and shown", () =>
      Effect.gen(function* () {
        const { receiver, state } = yield* switchable("ack")
        const { customer, partnerKey } = yield* setUp(receiver.url)
        const sub = yield* seat(customer.id)
        const run = yield* runOnce
        expect(run.delivered).toBe(1)
        const calls = receiver.calls()
        expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(["POST /subscriptions"])
        const body = JSON.parse(calls[0]!.body)
        expect(body).toMatchObject({ action: "CREATE", subscription: { id: sub.id } })
        expect(calls[0]!.headers["webhook-id"]).toBe(body.event_id)
        expect(calls[0]!.headers["webhook-signature"]).toMatch(/^v1,/)

        const [delivery] = yield* deliveriesOf(`&target=${sub.product_id}`)
        expect(delivery).toMatchObject({ kind: "provisioning", status: "delivered", attempts: 1, ordering_key: sub.id, method: "POST" })
        const full = yield* detail(delivery.id)
        expect(full.attempt_log).toHaveLength(1)
        expect(full.attempt_log[0]).toMatchObject({ number: 1, status_code: 204, error: null })
        expect(full.attempt_log[0].latency_ms).toBeGreaterThanOrEqual(0)

        let provisioning = expectData(yield* call("GET", `${V1}/subscriptions/${sub.id}/provisioning`))
        expect(provisioning).toMatchObject({ configuration: null, state: "delivered", deliveries: { delivered: 1, dead: 0 } })
        expect(delivery.url).toBe(`${receiver.url}/subscriptions`)

        // The provider's address is the platform's: the partner sees the path the call went to, not where.
        const asPartner = { key: partnerKey }
        const partnerView = expectData(yield* call("GET", `${V1}/deliveries?target=${sub.product_id}`, asPartner))
        expect(partnerView.map((d: any) => d.url)).toEqual(["/subscriptions"])
        expect(expectData(yield* call("GET", `${V1}/deliveries/${delivery.id}`, asPartner)).url).toBe("/subscriptions")
        const partnerProvisioning = yield* call("GET", `${V1}/subscriptions/${sub.id}/provisioning`, asPartner)
        expect(expectData(partnerProvisioning).last_delivery.url).toBe("/subscriptions")
        expect(partnerProvisioning.text).not.toContain(receiver.url)

        // An update answered with a configuration: stored on the subscription.
        state.mode = "configuration"
        expectData(yield* call("PUT", `${V1}/subscriptions/${sub.id}`, { body: { name: "Reception" } }))
        expect((yield* runOnce).delivered).toBe(1)
        expect(receiver.calls().map((c) => `${c.method} ${c.path}`)[1]).toBe(`PUT /subscriptions/${sub.id}`)
        provisioning = expectData(yield* call("GET", `${V1}/subscriptions/${sub.id}/provisioning`))
        expect(provisioning).toMatchObject({
          subscription_id: sub.id,
          configuration: { sip_server: "sip.provider.example", ports: [5060, 5061] },
          state: "delivered",
          deliveries: { delivered: 2, pending: 0, retrying: 0, dead: 0 }
        })
        expect(provisioning.configured_at).toBe("2026-04-01T08:00:00.000Z")
        // Nothing left to do.
        expect((yield* runOnce).sent).toBe(0)
      }))
  })

  it.layer(OrderingServer)("retries", (it) => {
    it.scoped("503 then success: retried after the backoff", () =>
      Effect.gen(function* () {
        const { receiver, state } = yield* switchable("503")
        const { customer } = yield* setUp(receiver.url)
        const sub = yield* seat(customer.id)
        expect((yield* runOnce).retrying).toBe(1)
        let [delivery] = yield* deliveriesOf()
        expect(delivery).toMatchObject({ status: "retrying", attempts: 1, last_error: "answered 503" })
        // Not due yet: nothing is sent.
        expect((yield* runOnce).sent).toBe(0)
        // An update waits behind its CREATE.
        expectData(yield* call("PUT", `${V1}/subscriptions/${sub.id}`, { body: { name: "Later" } }))
        expect((yield* runOnce).sent).toBe(0)
        expect(receiver.calls()).toHaveLength(1)

        state.mode = "ack"
        yield* TestClock.adjust(Duration.seconds(31))
        const run = yield* runOnce
        expect(run.delivered).toBe(2)
        expect(receiver.calls().map((c) => c.method)).toEqual(["POST", "POST", "PUT"])
        ;[delivery] = yield* deliveriesOf(`&status=delivered`)
        expect(delivery).toMatchObject({ status: "delivered", attempts: 2 })
        const full = yield* detail(delivery.id)
        expect(full.attempt_log.map((a: any) => a.status_code)).toEqual([503, 204])
        expect(full.attempt_log[0].response_excerpt).toBe("busy")
      }))

    it.scoped("a receiver that hangs: time-out, then retry", () =>
      Effect.gen(function* () {
        const { receiver, state } = yield* switchable("hang")
        const { customer } = yield* setUp(receiver.url, 500)
        yield* seat(customer.id)
        const fiber = yield* Effect.fork(runOnce)
        yield* waitFor(() => receiver.calls().length === 1, "the call")
        yield* TestClock.adjust(Duration.millis(600))
        const run = yield* Fiber.join(fiber)
        expect(run.retrying).toBe(1)
        const [delivery] = yield* deliveriesOf("&status=retrying")
        const full = yield* detail(delivery.id)
        expect(full.attempt_log[0]).toMatchObject({ number: 1, status_code: null })
        expect(full.attempt_log[0].error).toMatch(/^timeout/)

        state.mode = "ack"
        yield* TestClock.adjust(Duration.seconds(31))
        expect((yield* runOnce).delivered).toBe(1)
        expect(receiver.calls()).toHaveLength(2)
      }))
  })

  it.layer(OrderingServer)("leases", (it) => {
    it.scoped("a delivery claimed by a worker that died is taken by another once the lease runs out", () =>
      Effect.gen(function* () {
        const { receiver } = yield* switchable("ack")
        const { customer } = yield* setUp(receiver.url, 2000)
        yield* seat(customer.id)
        yield* Effect.flatMap(Deliveries, (deliveries) => deliveries.dispatch)
        // What a claim writes (time-out 2 s + 30 s margin); the worker then dies without an answer.
        const sql = yield* SqlClient.SqlClient
        yield* sql`update deliveries set lease_until = ${"2026-04-01T08:00:32.000Z"}::timestamptz`
        expect((yield* runOnce).sent).toBe(0)
        yield* TestClock.adjust(Duration.seconds(33))
        expect((yield* runOnce).delivered).toBe(1)
        expect(receiver.calls()).toHaveLength(1)
      }))
  })

  it.layer(OrderingServer)("dead and replay", (it) => {
    it.scoped("400 is dead at once, raises delivery.failed, and is replayed after the receiver is fixed", () =>
      Effect.gen(function* () {
        const { receiver, state } = yield* switchable("400")
        const { customer } = yield* setUp(receiver.url)
        yield* seat(customer.id)
        expect((yield* runOnce).dead).toBe(1)
        const [delivery] = yield* deliveriesOf("&status=dead")
        expect(delivery).toMatchObject({ status: "dead", attempts: 1, last_error: "answered 400" })
        const failed = yield* events({ type: "delivery.failed" })
        expect(failed).toHaveLength(1)
        expect(failed[0].data.delivery).toMatchObject({ id: delivery.id, status: "dead" })
        // A dead delivery stays dead.
        expect((yield* runOnce).sent).toBe(0)

        // A pending one cannot be replayed; a dead one goes back to pending, attempts kept.
        const replayed = expectData(yield* call("POST", `${V1}/deliveries/${delivery.id}/replay`))
        expect(replayed).toMatchObject({ status: "pending", attempts: 1 })
        expect((yield* call("POST", `${V1}/deliveries/${delivery.id}/replay`)).status).toBe(409)
        state.mode = "ack"
        expect((yield* runOnce).delivered).toBe(1)
        const full = yield* detail(delivery.id)
        expect(full).toMatchObject({ status: "delivered", attempts: 2 })
        expect(full.attempt_log.map((a: any) => a.status_code)).toEqual([400, 204])
        expect(receiver.calls().map((c) => c.headers["webhook-id"])).toEqual([delivery.event_id, delivery.event_id])
      }))
  })

  it.layer(OrderingServer)("quantity decreases with a target", (it) => {
    it.scoped("pending until the UPDATE is acknowledged, then completed; failed when it is dead", () =>
      Effect.gen(function* () {
        const { receiver, state } = yield* switchable("ack")
        const { customer } = yield* setUp(receiver.url)
        const sub = yield* seat(customer.id, 10)
        yield* runOnce

        const accepted = expectData(yield* call("POST", `${V1}/subscriptions/${sub.id}/quantity`, { body: { quantity: 7 } }), 202)
        expect(accepted).toMatchObject({ state: "pending", to_quantity: 7 })
        const poll = () => Effect.map(call("GET", `${V1}/subscriptions/${sub.id}/quantityrequest/${accepted.request_id}`), (a) => expectData(a))
        expect((yield* poll()).state).toBe("pending")
        expect(expectData(yield* call("GET", `${V1}/subscriptions/${sub.id}`)).quantity).toBe(10)

        yield* runOnce
        expect((yield* poll()).state).toBe("completed")
        expect(expectData(yield* call("GET", `${V1}/subscriptions/${sub.id}`)).quantity).toBe(7)
        const update = receiver.calls().find((c) => c.method === "PUT")!
        expect(JSON.parse(update.body).subscription).toMatchObject({ id: sub.id, quantity: 7, quantity_request_id: accepted.request_id })

        // The provider refuses the next one: the request fails, the quantity stays.
        state.mode = "400"
        const second = expectData(yield* call("POST", `${V1}/subscriptions/${sub.id}/quantity`, { body: { quantity: 5 } }), 202)
        yield* runOnce
        const polled = expectData(yield* call("GET", `${V1}/subscriptions/${sub.id}/quantityrequest/${second.request_id}`))
        expect(polled.state).toBe("failed")
        expect(polled.reason).toMatch(/answered 400/)
        expect(expectData(yield* call("GET", `${V1}/subscriptions/${sub.id}`)).quantity).toBe(7)
        expect(expectData(yield* call("GET", `${V1}/subscriptions/${sub.id}/provisioning`)).state).toBe("failed")

        // Once the provider is fixed, the failed decrease is not replayed (Provisio bills 7): it is sent again.
        state.mode = "ack"
        const [dead] = yield* deliveriesOf("&status=dead")
        const refused = yield* call("POST", `${V1}/deliveries/${dead.id}/replay`)
        expectError(refused, 409, "invalid_state")
        expect(refused.body.error.message).toMatch(/send the change again/)
        expect((yield* runOnce).sent).toBe(0)
        expect((yield* detail(dead.id)).status).toBe("dead")
        const sentBefore = receiver.calls().length
        const again = expectData(yield* call("POST", `${V1}/subscriptions/${sub.id}/quantity`, { body: { quantity: 5 } }), 202)
        yield* runOnce
        const resent = receiver.calls().slice(sentBefore).find((c) => c.method === "PUT")!
        expect(JSON.parse(resent.body).subscription).toMatchObject({ quantity: 5, quantity_request_id: again.request_id })
        expect(expectData(yield* call("GET", `${V1}/subscriptions/${sub.id}/quantityrequest/${again.request_id}`)).state).toBe("completed")
        expect(expectData(yield* call("GET", `${V1}/subscriptions/${sub.id}`)).quantity).toBe(5)
      }))
  })

  it.layer(OrderingServer)("deleting a customer", (it) => {
    it.scoped("ends its live subscriptions as a cancellation does: subscription.cancelled, and the provider gets its DELETE", () =>
      Effect.gen(function* () {
        const { receiver } = yield* switchable("ack")
        const { customer } = yield* setUp(receiver.url)
        const sub = yield* seat(customer.id, 3)
        expect((yield* runOnce).delivered).toBe(1)

        expect((yield* call("DELETE", `${V1}/customers/${customer.id}`)).status).toBe(204)
        expectError(yield* call("GET", `${V1}/subscriptions/${sub.id}`), 404, "not_found")
        const [cancelled] = (yield* events({ type: "subscription.cancelled" })).filter((e) => e.data.subscription.id === sub.id)
        expect(cancelled.data).toMatchObject({ subscription: { status: "cancelled" }, when: "immediately", reason: "customer deleted" })
        // The event and its delivery outlive the customer: the provider is told.
        expect((yield* runOnce).delivered).toBe(1)
        const last = receiver.calls().at(-1)!
        expect({ method: last.method, path: last.path }).toEqual({ method: "DELETE", path: `/subscriptions/${sub.id}` })
        expect(JSON.parse(last.body)).toMatchObject({ action: "DELETE", subscription: { id: sub.id, status: "cancelled" } })
      }))
  })

  it.layer(OrderingServer)("quantity increases while a decrease is pending", (it) => {
    it.scoped("an increase waits for the pending decrease: its completion would have set the seats back over it", () =>
      Effect.gen(function* () {
        const { receiver, state } = yield* switchable("ack")
        const { customer } = yield* setUp(receiver.url)
        const sub = yield* seat(customer.id, 10)
        yield* runOnce
        const raise = { subscription_id: sub.id, quantity: 5 }
        // A draft raising it, made before the decrease is asked for.
        const early = expectData(yield* call("POST", `${V1}/orders`, { body: { customer_id: customer.id } }), 201)
        expectData(yield* call("POST", `${V1}/orders/${early.id}/items`, { body: raise }), 201)

        state.mode = "400"
        const decrease = expectData(yield* call("POST", `${V1}/subscriptions/${sub.id}/quantity`, { body: { quantity: 8 } }), 202)
        expect(decrease.state).toBe("pending")
        const draft = expectData(yield* call("POST", `${V1}/orders`, { body: { customer_id: customer.id } }), 201)
        const refused = yield* call("POST", `${V1}/orders/${draft.id}/items`, { body: raise })
        expectError(refused, 422, "validation_error", "subscription_id")
        expect(refused.body.error.message).toContain(decrease.request_id)
        const failed = expectData(yield* call("POST", `${V1}/orders/${early.id}/checkout`))
        expect(failed.status).toBe("failed")
        expect(failed.items[0].error).toContain("quantity decrease pending")
        expect(expectData(yield* call("GET", `${V1}/subscriptions/${sub.id}`)).quantity).toBe(10)

        // Once it has failed (or completed), more can be ordered.
        yield* runOnce
        expect(expectData(yield* call("GET", `${V1}/subscriptions/${sub.id}/quantityrequest/${decrease.request_id}`)).state).toBe("failed")
        expectData(yield* call("POST", `${V1}/orders/${draft.id}/items`, { body: raise }), 201)
        expect(expectData(yield* call("POST", `${V1}/orders/${draft.id}/checkout`)).status).toBe("completed")
        expect(expectData(yield* call("GET", `${V1}/subscriptions/${sub.id}`)).quantity).toBe(15)
      }))
  })

  it.layer(OrderingServer)("webhooks", (it) => {
    it.scoped("one call per matching enabled webhook of the event's scope, body {event_id, type, occurred_at, data}", () =>
      Effect.gen(function* () {
        const { receiver } = yield* switchable("ack")
        yield* setNow("2026-04-01T08:00:00Z")
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        // The platform's own webhooks may point at loopback; the partner sees the deliveries of its scope.
        const hook = expectData(yield* call("POST", `${V1}/webhooks`, {
          body: { url: `${receiver.url}/hooks`, events: ["subscription.*"] }
        }), 201)
        expectData(yield* call("POST", `${V1}/webhooks`, {
          body: { url: `${receiver.url}/orders`, events: ["order.completed"], enabled: false }
        }), 201)
        const sub = yield* seat(customer.id)
        yield* runOnce
        const calls = receiver.calls()
        expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(["POST /hooks"])
        const body = JSON.parse(calls[0]!.body)
        expect(Object.keys(body).sort()).toEqual(["data", "event_id", "occurred_at", "type"])
        expect(body).toMatchObject({ type: "subscription.created", data: { subscription: { id: sub.id } } })
        const listed = expectData(yield* call("GET", `${V1}/deliveries?target=${hook.id}`, { key: partnerKey }))
        expect(listed).toHaveLength(1)
        expect(listed[0]).toMatchObject({ kind: "webhook", status: "delivered", ordering_key: `${hook.id}:${sub.id}` })
        // Another channel sees none of them.
        const stranger = yield* channel()
        expect(expectData(yield* call("GET", `${V1}/deliveries`, { key: stranger.partnerKey }))).toEqual([])
        expect((yield* call("GET", `${V1}/deliveries/${listed[0].id}`, { key: stranger.partnerKey })).status).toBe(404)
        // A target that no delivery can have is 422 naming it, not an empty list that reads as "none yet".
        for (const target of ["webhook", "provisioning", "sub_0123", hook.id.toUpperCase()]) {
          const refused = yield* call("GET", `${V1}/deliveries?target=${target}`, { key: partnerKey })
          expectError(refused, 422, "validation_error", "target")
          expect(refused.body.error.message).toMatch(/product id \(prd_\.\.\.\), a webhook id \(whk_\.\.\.\) or smtp/)
        }
        expect(expectData(yield* call("GET", `${V1}/deliveries?target=smtp`, { key: partnerKey }))).toEqual([])
      }))
  })

  it.layer(OrderingServer, { timeout: 60_000 })("ordering", (it) => {
    it.scoped("CREATE, three UPDATEs and DELETE of 100 subscriptions through 4 workers: in order per subscription, in parallel across them", () =>
      Effect.gen(function* () {
        let inFlight = 0
        let maxInFlight = 0
        const receiver = yield* serveReceiver((_call, response) => {
          inFlight++
          maxInFlight = Math.max(maxInFlight, inFlight)
          setTimeout(() => {
            inFlight--
            response.writeHead(204).end()
          }, Math.floor(Math.random() * 8))
        })
        const { catalog, customer } = yield* setUp(receiver.url)
        const ids: Array<string> = []
        for (let batch = 0; batch < 10; batch++) {
          const done = yield* order(
            customer.id,
            Array.from({ length: 10 }, () => ({ plan_id: catalog.plans["UCaaS Seat Monthly"], quantity: 1, characteristics: SEAT }))
          )
          ids.push(...done.items.map((item: any) => item.subscription_id as string))
        }
        expect(new Set(ids).size).toBe(100)
        for (const round of [1, 2, 3]) {
          for (const id of ids) {
            expectData(yield* call("PUT", `${V1}/subscriptions/${id}`, { body: { name: `round ${round}` } }))
          }
        }
        for (const id of ids) expectData(yield* call("POST", `${V1}/subscriptions/${id}/cancel`, { body: {} }))

        // Four workers at once (as four processes would), then one more turn for what became due
        // after the others had stopped looking.
        const runs = yield* Effect.all([runOnce, runOnce, runOnce, runOnce], { concurrency: "unbounded" })
        const last = yield* runOnce
        expect(runs.reduce((sum, run) => sum + run.delivered, last.delivered)).toBe(500)
        expect(receiver.calls()).toHaveLength(500)
        const perSubscription = new Map<string, Array<string>>()
        const arrival: Array<string> = []
        for (const c of receiver.calls()) {
          const body = JSON.parse(c.body)
          const id = body.subscription.id as string
          arrival.push(id)
          const step = body.action === "UPDATE" ? `UPDATE ${body.subscription.name}` : body.action
          perSubscription.set(id, [...(perSubscription.get(id) ?? []), step])
        }
        for (const id of ids) {
          expect(perSubscription.get(id), id).toEqual(["CREATE", "UPDATE round 1", "UPDATE round 2", "UPDATE round 3", "DELETE"])
        }
        // Subscriptions interleave: the calls of one are not all together, and several were in flight at once.
        const firstRun = arrival.slice(0, 5)
        expect(new Set(firstRun).size).toBeGreaterThan(1)
        expect(maxInFlight).toBeGreaterThan(1)
      }), 180_000)
  })

  it.layer(OrderingServer)("head of line", (it) => {
    it.scoped("a subscription whose calls fail holds back only itself", () =>
      Effect.gen(function* () {
        let failFor: string | null = null
        const receiver = yield* serveReceiver((c, response) => {
          const id = JSON.parse(c.body).subscription.id
          if (id === failFor) response.writeHead(503).end()
          else response.writeHead(204).end()
        })
        const { customer } = yield* setUp(receiver.url)
        const stuck = yield* seat(customer.id)
        const other = yield* seat(customer.id)
        failFor = stuck.id
        for (const sub of [stuck, other]) {
          expectData(yield* call("PUT", `${V1}/subscriptions/${sub.id}`, { body: { name: "renamed" } }))
        }
        yield* runOnce
        const byId = (id: string) => receiver.calls().filter((c) => JSON.parse(c.body).subscription.id === id).map((c) => c.method)
        expect(byId(stuck.id)).toEqual(["POST"])
        expect(byId(other.id)).toEqual(["POST", "PUT"])
        const stuckProvisioning = expectData(yield* call("GET", `${V1}/subscriptions/${stuck.id}/provisioning`))
        expect(stuckProvisioning).toMatchObject({ state: "in_progress", deliveries: { retrying: 1, pending: 1 } })
      }))
  })
})

describe("activation pushes", () => {
  it.layer(OrderingServer)("networks, SSIDs and devices", (it) => {
    it.scoped("a target with networks gets the network CREATE after the subscription CREATE; one without gets none", () =>
      Effect.gen(function* () {
        const { receiver } = yield* switchable("ack")
        const { customer, product } = yield* setUp(receiver.url)
        expectData(yield* call("PUT", `${V1}/products/${product}/provisioning`, {
          body: { base_url: receiver.url, endpoints: ["subscriptions", "networks"], timeout_ms: 30_000 }
        }))
        const sub = yield* seat(customer.id)
        const network = expectData(
          yield* call("POST", `${V1}/subscriptions/${sub.id}/networks`, { body: { name: "Site A" } }),
          201
        )
        expectData(yield* call("PUT", `${V1}/subscriptions/${sub.id}/networks/${network.id}`, { body: { name: "Site B" } }))
        expect((yield* runOnce).delivered).toBe(3)
        const calls = receiver.calls()
        expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
          "POST /subscriptions",
          "POST /networks",
          `PUT /networks/${network.id}`
        ])
        const body = JSON.parse(calls[1]!.body)
        expect(body).toMatchObject({ action: "CREATE", network: { id: network.id, name: "Site A" } })
        expect(Object.keys(body).sort()).toEqual(["action", "event_id", "network", "occurred_at"])
        expect(calls[1]!.headers["webhook-id"]).toBe(body.event_id)
        expect(JSON.parse(calls[2]!.body)).toMatchObject({ action: "UPDATE", network: { id: network.id, name: "Site B" } })
        const pushes = yield* deliveriesOf(`&target=${product}`)
        expect(pushes.filter((d) => d.event_type.startsWith("network.")).map((d) => d.ordering_key)).toEqual([sub.id, sub.id])

        // Without `networks` in its endpoints: the subscription call only, no network call.
        expectData(yield* call("PUT", `${V1}/products/${product}/provisioning`, {
          body: { base_url: receiver.url, endpoints: ["subscriptions"], timeout_ms: 30_000 }
        }))
        const other = yield* seat(customer.id)
        expectData(yield* call("POST", `${V1}/subscriptions/${other.id}/networks`, { body: { name: "Site C" } }), 201)
        expect((yield* runOnce).delivered).toBe(1)
        expect(receiver.calls().slice(3).map((c) => `${c.method} ${c.path}`)).toEqual(["POST /subscriptions"])
      }))
  })
})
