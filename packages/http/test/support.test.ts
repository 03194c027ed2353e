import { describe, expect, it } from "@effect/vitest"
import { Deliveries } from "@provisio/core/deliveries/service"
import * as Effect from "effect/Effect"
import { call, channel, createKey, expectData, signIn, TEST_PASSWORD, uniqueEmail } from "./harness"
import { createCustomer, events, expectError, OrderingServer, V1 } from "./ordering-fixtures"

/** A partner, one of its customers, and that customer's admin (a signed-in user). */
const world = Effect.gen(function* () {
  const { partner, partnerKey } = yield* channel()
  const customer = yield* createCustomer(partner.id)
  const email = uniqueEmail("customer-admin")
  expectData(
    yield* call("POST", `${V1}/customers/${customer.id}/admins`, { body: { email, name: "C admin", password: TEST_PASSWORD } }),
    201
  )
  const customerToken = (yield* signIn(email)).access_token
  return { partner, partnerKey, customer, customerToken }
})

describe("support", () => {
  it.layer(OrderingServer)("tickets and comments", (it) => {
    it.effect("a partner opens, lists, reads, updates and comments on a ticket of its customer, each with its event", () =>
      Effect.gen(function* () {
        const { customer, partnerKey } = yield* world
        const ticket = expectData(
          yield* call("POST", `${V1}/tickets`, {
            key: partnerKey,
            body: { customer_id: customer.id, subject: "  No dial tone  ", description: "Phones are dead", category: "voice" }
          }),
          201
        )
        expect(ticket).toMatchObject({
          customer_id: customer.id,
          subject: "No dial tone",
          description: "Phones are dead",
          priority: "normal",
          status: "open",
          category: "voice"
        })
        expect(ticket.id).toMatch(/^tkt_/)
        expect(ticket.created_by).toMatch(/^key_|^[a-z]+_/)

        const listed = yield* call("GET", `${V1}/tickets?customer_id=${customer.id}`, { key: partnerKey })
        expect(expectData(listed).map((t: any) => t.id)).toEqual([ticket.id])
        expect(listed.body.meta.page).toBeDefined()
        expect(expectData(yield* call("GET", `${V1}/tickets?status=closed&customer_id=${customer.id}`, { key: partnerKey }))).toEqual([])
        expect(expectData(yield* call("GET", `${V1}/tickets/${ticket.id}`, { key: partnerKey }))).toEqual(ticket)

        const updated = expectData(
          yield* call("PUT", `${V1}/tickets/${ticket.id}`, { key: partnerKey, body: { status: "pending", priority: "high" } })
        )
        expect(updated).toMatchObject({ status: "pending", priority: "high", subject: "No dial tone" })

        const comment = expectData(
          yield* call("POST", `${V1}/tickets/${ticket.id}/comments`, { key: partnerKey, body: { body: "Looking into it" } }),
          201
        )
        expect(comment).toMatchObject({ ticket_id: ticket.id, body: "Looking into it", internal: false })
        expect(comment.id).toMatch(/^tcm_/)
        expect(comment.author.account_kind).toBe("partner")
        expect(comment.author.api_key_id).not.toBeNull()

        // Closed only reopens.
        expectData(yield* call("PUT", `${V1}/tickets/${ticket.id}`, { key: partnerKey, body: { status: "closed" } }))
        expectError(yield* call("PUT", `${V1}/tickets/${ticket.id}`, { key: partnerKey, body: { status: "resolved" } }), 409, "invalid_state")
        expect(expectData(yield* call("PUT", `${V1}/tickets/${ticket.id}`, { key: partnerKey, body: { status: "open" } })).status).toBe("open")

        const all = (yield* events({ type: "ticket.*", customer_id: customer.id })).filter((e) => e.data.ticket.id === ticket.id)
        expect(all.map((e) => e.type)).toEqual([
          "ticket.created",
          "ticket.updated",
          "ticket.commented",
          "ticket.updated",
          "ticket.updated"
        ])
        expect(all.every((e) => e.customer_id === customer.id)).toBe(true)
        expect(all[1].data.changes).toEqual({ status: { from: "open", to: "pending" }, priority: { from: "normal", to: "high" } })
        expect(all[2].data).toMatchObject({ internal: false, comment: { id: comment.id, body: "Looking into it" } })
        // The partner sees its customer's events too.
        const seen = (yield* events({ type: "ticket.*" }, partnerKey)).filter((e) => e.data.ticket.id === ticket.id)
        expect(seen.length).toBe(5)
      }))

    it.effect("a customer admin sees its own tickets, never internal comments, and may not write them", () =>
      Effect.gen(function* () {
        const { customer, customerToken, partnerKey } = yield* world
        const ticket = expectData(
          yield* call("POST", `${V1}/tickets`, {
            key: customerToken,
            body: { customer_id: customer.id, subject: "Slow Wi-Fi", description: "Since Monday", priority: "urgent" }
          }),
          201
        )
        expect(ticket).toMatchObject({ customer_id: customer.id, priority: "urgent", status: "open", category: null })
        expect(ticket.created_by).toMatch(/^usr_/)
        // A customer that names no customer opens its own ticket; anyone else must name one.
        const own = expectData(yield* call("POST", `${V1}/tickets`, { key: customerToken, body: { subject: "Own", description: "D" } }), 201)
        expect(own.customer_id).toBe(customer.id)
        expectError(yield* call("POST", `${V1}/tickets`, { key: partnerKey, body: { subject: "Whose?", description: "D" } }), 422, "validation_error", "customer_id")
        expect(expectData(yield* call("PUT", `${V1}/tickets/${own.id}`, { key: customerToken, body: { status: "closed" } })).status).toBe("closed")
        expect(expectData(yield* call("GET", `${V1}/tickets?status=open`, { key: customerToken })).map((t: any) => t.id)).toEqual([ticket.id])
        expectData(yield* call("GET", `${V1}/tickets/${ticket.id}`, { key: customerToken }))
        expect(
          expectData(yield* call("PUT", `${V1}/tickets/${ticket.id}`, { key: customerToken, body: { status: "resolved" } })).status
        ).toBe("resolved")

        const comments = `${V1}/tickets/${ticket.id}/comments`
        const mine = expectData(yield* call("POST", comments, { key: customerToken, body: { body: "Still slow" } }), 201)
        expect(mine.author).toMatchObject({ account_id: customer.id, account_kind: "customer", api_key_id: null })
        expect(mine.author.user_id).toMatch(/^usr_/)
        expectError(yield* call("POST", comments, { key: customerToken, body: { body: "psst", internal: true } }), 403, "forbidden")

        const note = expectData(yield* call("POST", comments, { key: partnerKey, body: { body: "Escalate to NOC", internal: true } }), 201)
        expect(note.internal).toBe(true)
        expect(expectData(yield* call("GET", comments, { key: partnerKey })).map((c: any) => c.id)).toEqual([mine.id, note.id])
        expect(expectData(yield* call("GET", comments, { key: customerToken })).map((c: any) => c.id)).toEqual([mine.id])

        // A customer cannot open a ticket for another customer (not in its scope).
        const other = yield* createCustomer((yield* channel()).partner.id)
        expectError(
          yield* call("POST", `${V1}/tickets`, { key: customerToken, body: { customer_id: other.id, subject: "S", description: "D" } }),
          422,
          "validation_error"
        )

        const commented = (yield* events({ type: "ticket.commented" })).filter((e) => e.data.ticket.id === ticket.id)
        expect(commented.map((e) => e.data.internal)).toEqual([false, true])
      }))

    it.effect("an internal comment never reaches the customer: not in its events, nor in its webhooks' deliveries", () =>
      Effect.gen(function* () {
        const { customer, customerToken, partnerKey } = yield* world
        const hook = { url: "https://customer.example/hooks", events: ["ticket.*"] }
        const customerHook = expectData(yield* call("POST", `${V1}/webhooks`, { key: customerToken, body: hook }), 201)
        const partnerHook = expectData(yield* call("POST", `${V1}/webhooks`, { key: partnerKey, body: hook }), 201)
        const ticket = expectData(
          yield* call("POST", `${V1}/tickets`, { key: partnerKey, body: { customer_id: customer.id, subject: "S", description: "D" } }),
          201
        )
        const comments = `${V1}/tickets/${ticket.id}/comments`
        expectData(yield* call("POST", comments, { key: partnerKey, body: { body: "Customer owes us; go slow", internal: true } }), 201)
        expectData(yield* call("POST", comments, { key: partnerKey, body: { body: "We are on it" } }), 201)

        const seen = (key: string) =>
          Effect.map(
            events({ type: "ticket.commented", customer_id: customer.id }, key),
            (all) => all.filter((e) => e.data.ticket.id === ticket.id)
          )
        const partnerSees = yield* seen(partnerKey)
        expect(partnerSees.map((e) => e.data.internal)).toEqual([true, false])
        const customerSees = yield* seen(customerToken)
        expect(customerSees.map((e) => e.data.comment.body)).toEqual(["We are on it"])
        expect(JSON.stringify(customerSees)).not.toContain("go slow")

        // The dispatcher makes the webhooks' deliveries: the customer's hook gets the public comment only.
        yield* Effect.orDie(Effect.flatMap(Deliveries, (deliveries) => deliveries.dispatch))
        const commentedTo = (webhookId: string, key: string) =>
          Effect.map(
            call("GET", `${V1}/deliveries?target=${webhookId}&limit=200`, { key }),
            (answer) => expectData(answer).filter((d: any) => d.event_type === "ticket.commented")
          )
        const toCustomer = yield* commentedTo(customerHook.id, customerToken)
        expect(toCustomer.map((d: any) => d.event_id)).toEqual([customerSees[0].id])
        const detail = expectData(yield* call("GET", `${V1}/deliveries/${toCustomer[0].id}`, { key: customerToken }))
        expect(detail.body).not.toContain("go slow")
        expect(yield* commentedTo(partnerHook.id, partnerKey)).toHaveLength(2)
      }))

    it.effect("scope: another partner gets 404; viewers read only; validation", () =>
      Effect.gen(function* () {
        const { customer, partner, partnerKey } = yield* world
        const ticket = expectData(
          yield* call("POST", `${V1}/tickets`, { key: partnerKey, body: { customer_id: customer.id, subject: "S", description: "D" } }),
          201
        )
        const other = yield* channel()
        expectError(yield* call("GET", `${V1}/tickets/${ticket.id}`, { key: other.partnerKey }), 404, "not_found")
        expectError(yield* call("PUT", `${V1}/tickets/${ticket.id}`, { key: other.partnerKey, body: { status: "closed" } }), 404, "not_found")
        expectError(yield* call("GET", `${V1}/tickets/${ticket.id}/comments`, { key: other.partnerKey }), 404, "not_found")
        expectError(
          yield* call("POST", `${V1}/tickets/${ticket.id}/comments`, { key: other.partnerKey, body: { body: "x" } }),
          404,
          "not_found"
        )
        expectError(yield* call("GET", `${V1}/tickets?customer_id=${customer.id}`, { key: other.partnerKey }), 404, "not_found")
        expect(expectData(yield* call("GET", `${V1}/tickets`, { key: other.partnerKey }))).toEqual([])

        const viewer = yield* createKey(partner.id, "viewer")
        expectData(yield* call("GET", `${V1}/tickets/${ticket.id}`, { key: viewer }))
        expectData(yield* call("GET", `${V1}/tickets/${ticket.id}/comments`, { key: viewer }))
        expectError(yield* call("POST", `${V1}/tickets`, { key: viewer, body: { customer_id: customer.id, subject: "S", description: "D" } }), 403, "forbidden")
        expectError(yield* call("PUT", `${V1}/tickets/${ticket.id}`, { key: viewer, body: { status: "closed" } }), 403, "forbidden")
        expectError(yield* call("POST", `${V1}/tickets/${ticket.id}/comments`, { key: viewer, body: { body: "x" } }), 403, "forbidden")

        expectError(yield* call("POST", `${V1}/tickets`, { body: { customer_id: customer.id, subject: " ", description: "D" } }), 422, "validation_error")
        expectError(yield* call("POST", `${V1}/tickets`, { body: { customer_id: customer.id, subject: "S", description: "x".repeat(5001) } }), 422, "validation_error")
        expectError(yield* call("PUT", `${V1}/tickets/${ticket.id}`, { body: { priority: "asap" } }), 422, "validation_error")
      }))

    it.effect("a PUT takes a ticket's customer_id and id only as they are: a ticket does not move", () =>
      Effect.gen(function* () {
        const { customer, partner, partnerKey } = yield* world
        const another = yield* createCustomer(partner.id)
        const ticket = expectData(
          yield* call("POST", `${V1}/tickets`, { key: partnerKey, body: { customer_id: customer.id, subject: "S", description: "D" } }),
          201
        )
        // Read and sent back whole: taken.
        const { updated_at: _sentBack, ...whole } = ticket
        expect(expectData(yield* call("PUT", `${V1}/tickets/${ticket.id}`, { key: partnerKey, body: { ...whole, status: "pending" } })))
          .toMatchObject({ status: "pending", customer_id: customer.id })
        // Another customer is 422 naming customer_id, never a 200 that moved nothing.
        const moved = yield* call("PUT", `${V1}/tickets/${ticket.id}`, { key: partnerKey, body: { customer_id: another.id } })
        expectError(moved, 422, "validation_error", "customer_id")
        expect(moved.body.error.message).toMatch(/stays with the customer/)
        expectError(yield* call("PUT", `${V1}/tickets/${ticket.id}`, { key: partnerKey, body: { id: "tkt_0123" } }), 422, "validation_error", "id")
        expect(expectData(yield* call("GET", `${V1}/tickets/${ticket.id}`, { key: partnerKey })).customer_id).toBe(customer.id)
      }))
  })
})
