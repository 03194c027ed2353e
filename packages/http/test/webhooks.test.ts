import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { WebhookRepoLive } from "@provisio/adapters/postgres/webhooks"
import { serveReceiver } from "@provisio/adapters/testing/receivers"
import { Deliveries } from "@provisio/core/deliveries/service"
import { WebhookRepo } from "@provisio/core/webhooks/ports"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { callAndTick as call, channel, createDistributor, createKey, createPartner, expectData, expectError, TestServer } from "./harness"
import { waitFor } from "./real-time"


const V1 = "/api/v1"

const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/
const GIVEN_SECRET = `whsec_${Buffer.alloc(24, 9).toString("base64")}`

const HOOK = { url: "https://receiver.example/provisio?source=prod", events: ["subscription.*", "order.completed"] }

const createWebhook = (key?: string, body: Record<string, unknown> = HOOK) =>
  Effect.map(call("POST", `${V1}/webhooks`, { key, body }), (answer) => expectData(answer, 201))

const keysOf = (id: string) =>
  Effect.flatMap(WebhookRepo, (repo) => repo.findById(id)).pipe(
    Effect.map((found) => Option.getOrThrow(found).keys),
    Effect.provide(WebhookRepoLive)
  )

describe("webhooks", () => {
  it.layer(TestServer)("over HTTP", (it) => {
    it.effect("a partner subscribes a URL; the generated secret is in the creation's answer only", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        const created = yield* createWebhook(partnerKey)
        expect(created.id).toMatch(/^whk_/)
        expect(created).toMatchObject({
          account_id: partner.id,
          url: "https://receiver.example/provisio?source=prod",
          events: ["subscription.*", "order.completed"],
          description: null,
          enabled: true,
          timeout_ms: 10000,
          secret_rotation: null
        })
        expect(created.secret).toMatch(SECRET)
        expect(created.secret_prefix).toBe(created.secret.slice(0, 12))
        expect((yield* keysOf(created.id)).current).toBe(created.secret)

        const read = expectData(yield* call("GET", `${V1}/webhooks/${created.id}`, { key: partnerKey }))
        expect(read).toEqual({ ...created, secret: undefined })
        expect(read.secret).toBeUndefined()
        const listed = expectData(yield* call("GET", `${V1}/webhooks`, { key: partnerKey }))
        expect(listed).toEqual([read])
        expect(JSON.stringify(listed)).not.toContain(created.secret)

        const given = yield* createWebhook(partnerKey, { ...HOOK, secret: GIVEN_SECRET, description: "CRM sync", enabled: false })
        expect(given.secret).toBeUndefined()
        expect(given).toMatchObject({ secret_prefix: GIVEN_SECRET.slice(0, 12), description: "CRM sync", enabled: false })
      }))

    it.effect("changes: fields sent change, null clears the description; secrets rotate or are replaced", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const created = yield* createWebhook(partnerKey, { ...HOOK, description: "first" })
        const path = `${V1}/webhooks/${created.id}`
        const changed = expectData(yield* call("PUT", path, {
          key: partnerKey,
          body: { events: ["*"], description: null, enabled: false }
        }))
        expect(changed).toMatchObject({ url: HOOK.url, events: ["*"], description: null, enabled: false, secret_prefix: created.secret_prefix })
        expect(changed.secret).toBeUndefined()

        const rotated = expectData(yield* call("PUT", path, { key: partnerKey, body: { rotate_secret: true } }))
        expect(rotated.secret).toMatch(SECRET)
        expect(rotated.secret_rotation).toEqual({
          previous_secret_prefix: created.secret_prefix,
          previous_secret_expires_at: DateTime.formatIso(DateTime.add(DateTime.unsafeMake(rotated.updated_at), { hours: 24 }))
        })
        expect(yield* keysOf(created.id)).toMatchObject({ current: rotated.secret, previous: created.secret })

        const replaced = expectData(yield* call("PUT", path, { key: partnerKey, body: { secret: GIVEN_SECRET } }))
        expect(replaced.secret).toBeUndefined()
        expect(replaced.secret_rotation).toBeNull()
        expect(yield* keysOf(created.id)).toEqual({ current: GIVEN_SECRET, previous: null, previous_expires_at: null })
      }))

    it.effect("a PUT takes a webhook's account_id and id only as they are: a webhook does not move", () =>
      Effect.gen(function* () {
        const { distributor, partner, partnerKey } = yield* channel()
        const created = yield* createWebhook()
        const path = `${V1}/webhooks/${created.id}`
        // Read and sent back whole: taken.
        const { updated_at: _sentBack, ...whole } = expectData(yield* call("GET", path))
        expect(expectData(yield* call("PUT", path, { body: { ...whole, description: "whole" } })))
          .toMatchObject({ description: "whole", account_id: created.account_id })
        // Another account is 422 naming account_id, never a 200 that moved nothing.
        for (const account of [partner.id, distributor.id]) {
          const moved = yield* call("PUT", path, { body: { account_id: account } })
          expectError(moved, 422, "validation_error", "account_id")
          expect(moved.body.error.message).toMatch(/stays with its account/)
        }
        expectError(yield* call("PUT", path, { body: { id: "whk_0123" } }), 422, "validation_error", "id")
        expect(expectData(yield* call("GET", path)).account_id).toBe(created.account_id)
        expect(expectData(yield* call("GET", `${V1}/webhooks`, { key: partnerKey }))).toEqual([])
      }))

    it.effect("a new webhook is the caller's or its X-Tenant-ID target's: another account_id in the body is 422", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        // It used to make a platform webhook, hearing every event of the platform, at the URL meant for the partner.
        const named = yield* call("POST", `${V1}/webhooks`, { body: { ...HOOK, account_id: partner.id } })
        expectError(named, 422, "validation_error", "account_id")
        expect(named.body.error.message).toMatch(/X-Tenant-ID/)
        const viaTenant = expectData(yield* call("POST", `${V1}/webhooks`, {
          body: { ...HOOK, account_id: partner.id },
          headers: { "x-tenant-id": partner.id }
        }), 201)
        expect(viaTenant.account_id).toBe(partner.id)
        expect(expectData(yield* call("GET", `${V1}/webhooks`, { key: partnerKey })).map((w: { id: string }) => w.id)).toEqual([viaTenant.id])
      }))

    it.effect("timeout_ms: 10000 unless given, answered back, changed by a PUT, 100 to 60000", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const defaulted = yield* createWebhook(partnerKey)
        expect(defaulted.timeout_ms).toBe(10000)

        const created = yield* createWebhook(partnerKey, { ...HOOK, timeout_ms: 2500 })
        expect(created.timeout_ms).toBe(2500)
        const path = `${V1}/webhooks/${created.id}`
        expect(expectData(yield* call("GET", path, { key: partnerKey })).timeout_ms).toBe(2500)
        // A PUT without it keeps it.
        expect(expectData(yield* call("PUT", path, { key: partnerKey, body: { enabled: false } })).timeout_ms).toBe(2500)
        expect(expectData(yield* call("PUT", path, { key: partnerKey, body: { timeout_ms: 30000 } })).timeout_ms).toBe(30000)
        expect(expectData(yield* call("GET", path, { key: partnerKey })).timeout_ms).toBe(30000)

        for (const timeout_ms of [50, 70000, 99, 60001, 2500.5, "2500"]) {
          expectError(
            yield* call("POST", `${V1}/webhooks`, { key: partnerKey, body: { ...HOOK, timeout_ms } }),
            422,
            "validation_error",
            "timeout_ms"
          )
          expectError(yield* call("PUT", path, { key: partnerKey, body: { timeout_ms } }), 422, "validation_error", "timeout_ms")
        }
        // A refused PUT stored nothing; the bounds themselves are accepted.
        expect(expectData(yield* call("GET", path, { key: partnerKey })).timeout_ms).toBe(30000)
        expect((yield* createWebhook(partnerKey, { ...HOOK, timeout_ms: 100 })).timeout_ms).toBe(100)
        expect((yield* createWebhook(partnerKey, { ...HOOK, timeout_ms: 60000 })).timeout_ms).toBe(60000)
      }))

    it.effect("invalid fields are 422 naming the field", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const post = (body: Record<string, unknown>) => call("POST", `${V1}/webhooks`, { key: partnerKey, body })
        for (const url of ["not a url", "ftp://receiver.example", "https://user:pw@receiver.example/hook", "https://receiver.example/#x"]) {
          expectError(yield* post({ ...HOOK, url }), 422, "validation_error", "url")
        }
        const plainHttp = yield* post({ ...HOOK, url: "http://receiver.example/hook" })
        expectError(plainHttp, 422, "validation_error", "url")
        expect(plainHttp.body.error.message).toContain("https://")
        expectError(yield* post({ url: HOOK.url }), 422, "validation_error", "events")
        expectError(yield* post({ ...HOOK, events: [] }), 422, "validation_error", "events")
        for (const pattern of ["sub*", "*.created", "Order.Completed", "subscription.", "", "order completed"]) {
          const refused = yield* post({ ...HOOK, events: ["order.completed", pattern] })
          expectError(refused, 422, "validation_error", "events[1]")
          expect(refused.body.error.message).toContain("subscription.*")
        }
        expectError(yield* post({ ...HOOK, events: ["ticket.*", "ticket.*"] }), 422, "validation_error", "events[1]")
        expectError(yield* post({ ...HOOK, secret: "shh" }), 422, "validation_error", "secret")
        expectError(yield* post({ ...HOOK, enabled: "yes" }), 422, "validation_error", "enabled")
        expectError(yield* post({ ...HOOK, description: "x".repeat(501) }), 422, "validation_error", "description")
        const created = yield* createWebhook(partnerKey)
        expectError(
          yield* call("PUT", `${V1}/webhooks/${created.id}`, { key: partnerKey, body: { events: ["order.*.x"] } }),
          422,
          "validation_error",
          "events[0]"
        )
        expectError(
          yield* call("PUT", `${V1}/webhooks/${created.id}`, { key: partnerKey, body: { url: "http://example.com" } }),
          422,
          "validation_error",
          "url"
        )
        expect(expectData(yield* call("GET", `${V1}/webhooks`, { key: partnerKey }))).toHaveLength(1)
      }))

    it.effect("an event type Provisio does not send is 422 naming the item, on POST and PUT; wildcards stay", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const post = (events: ReadonlyArray<string>) => call("POST", `${V1}/webhooks`, { key: partnerKey, body: { ...HOOK, events } })
        // A typo used to be taken, and the webhook never heard a thing.
        const typo = yield* post(["order.completed", "invoice.finalised"])
        expectError(typo, 422, "validation_error", "events[1]")
        expect(typo.body.error.message).toContain("\"invoice.finalised\" is not an event Provisio sends")
        expect(typo.body.error.message).toContain("did you mean \"invoice.finalized\"")
        const prefix = yield* post(["invoices.*"])
        expectError(prefix, 422, "validation_error", "events[0]")
        expect(prefix.body.error.message).toContain("did you mean \"invoice.*\"")
        for (const unknown of ["widget.created", "order.completed.x", "order.completed.*", "zzz.*"]) {
          expectError(yield* post([unknown]), 422, "validation_error", "events[0]")
        }
        expect(expectData(yield* call("GET", `${V1}/webhooks`, { key: partnerKey }))).toEqual([])

        const created = yield* createWebhook(partnerKey, { ...HOOK, events: ["*", "invoice.*", "invoice.finalized", "number.port_failed"] })
        expect(created.events).toEqual(["*", "invoice.*", "invoice.finalized", "number.port_failed"])
        const path = `${V1}/webhooks/${created.id}`
        expectError(yield* call("PUT", path, { key: partnerKey, body: { events: ["invoice.*", "payment.succeded"] } }), 422, "validation_error", "events[1]")
        expect(expectData(yield* call("GET", path, { key: partnerKey })).events).toEqual(created.events)
      }))

    it.effect("a webhook stored with a type no longer sent keeps working, and is taken back whole by a PUT", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const created = yield* createWebhook(partnerKey)
        // As one stored before the check was: the HTTP API no longer lets this in.
        const sql = yield* SqlClient.SqlClient
        yield* sql`update webhooks set events = ${["invoice.finalised", "order.completed"]}::text[] where id = ${created.id}`
        const path = `${V1}/webhooks/${created.id}`
        const { updated_at: _u, ...whole } = expectData(yield* call("GET", path, { key: partnerKey }))
        expect(whole.events).toEqual(["invoice.finalised", "order.completed"])
        expect(expectData(yield* call("PUT", path, { key: partnerKey, body: { ...whole, description: "kept" } })))
          .toMatchObject({ events: ["invoice.finalised", "order.completed"], description: "kept" })
        expect(expectData(yield* call("PUT", path, { key: partnerKey, body: { enabled: false } })).events)
          .toEqual(["invoice.finalised", "order.completed"])
        // A new unknown one is still refused beside the kept one.
        expectError(
          yield* call("PUT", path, { key: partnerKey, body: { events: ["invoice.finalised", "ticket.craeted"] } }),
          422,
          "validation_error",
          "events[1]"
        )
      }))

    it.effect("only the platform's own webhooks may call this machine or a private network", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        for (const url of ["http://127.0.0.1:9000/hook", "http://localhost/hook", "https://10.0.0.5/hook", "https://169.254.169.254/latest", "https://[::1]/hook"]) {
          const refused = yield* call("POST", `${V1}/webhooks`, { key: partnerKey, body: { ...HOOK, url } })
          expectError(refused, 422, "validation_error", "url")
        }
        const own = yield* createWebhook(undefined, { ...HOOK, url: "http://127.0.0.1:9000/hook" })
        expect(own.url).toBe("http://127.0.0.1:9000/hook")
        expect((yield* createWebhook(undefined, { ...HOOK, url: "https://[64:ff9b::a9fe:a9fe]/hook" })).url)
          .toBe("https://[64:ff9b::a9fe:a9fe]/hook")
        const created = yield* createWebhook(partnerKey)
        expectError(
          yield* call("PUT", `${V1}/webhooks/${created.id}`, { key: partnerKey, body: { url: "https://192.168.0.10/x" } }),
          422,
          "validation_error",
          "url"
        )
      }))

    it.effect("the host is judged as a resolver takes it: case, trailing dots, every IPv4 and IPv6 special-purpose form", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        for (
          const url of [
            "https://LOCALHOST./", "https://foo.localhost/", "https://Foo.LocalHost../hook", "https://0x7f.1./",
            "https://2130706433/", "https://[64:ff9b::a9fe:a9fe]/", "https://[64:ff9b::10.0.0.1]/",
            "https://[::ffff:169.254.169.254]/", "https://[2002:a9fe:a9fe::1]/", "https://[::]/", "https://[fe80::1]/",
            "https://[fd12::1]/", "https://[ff02::1]/", "https://[2001:db8::1]/", "https://198.18.0.1/",
            "https://192.0.0.8/", "https://192.0.2.1/", "https://198.51.100.1/", "https://203.0.113.1/",
            "https://224.0.0.1/", "https://240.0.0.1/", "https://255.255.255.255/", "https://100.64.0.1/"
          ]
        ) {
          const refused = yield* call("POST", `${V1}/webhooks`, { key: partnerKey, body: { url, events: ["subscription.created"] } })
          expectError(refused, 422, "validation_error", "url")
        }
        for (const url of ["https://receiver.example./hook", "https://8.8.8.8/hook", "https://[64:ff9b::808:808]/hook"]) {
          expect((yield* createWebhook(partnerKey, { ...HOOK, url })).url).toBe(url)
        }
      }))

    it.effect("scope: an account reaches its own webhooks and those below it; anyone else gets 404", () =>
      Effect.gen(function* () {
        const { distributor, distributorKey, partner, partnerKey } = yield* channel()
        const sibling = yield* createPartner(distributor.id, "standard", "Sibling")
        const siblingKey = yield* createKey(sibling.id)
        const foreignKey = yield* createKey((yield* createPartner((yield* createDistributor("Other")).id)).id)
        const customer = expectData(yield* call("POST", `${V1}/customers`, { body: { name: "C", partner_id: partner.id } }), 201)
        const customerKey = yield* createKey(customer.id)

        const partners = yield* createWebhook(partnerKey)
        const distributors = yield* createWebhook(distributorKey, { ...HOOK, events: ["*"] })
        const customers = yield* createWebhook(customerKey, { ...HOOK, events: ["ticket.*"] })
        expect(customers.account_id).toBe(customer.id)
        const path = `${V1}/webhooks/${partners.id}`

        for (const key of [siblingKey, foreignKey, customerKey]) {
          expectError(yield* call("GET", path, { key }), 404, "not_found")
          expectError(yield* call("PUT", path, { key, body: { enabled: false } }), 404, "not_found")
          expectError(yield* call("DELETE", path, { key }), 404, "not_found")
        }
        // The partner cannot see its distributor's webhook either.
        expectError(yield* call("GET", `${V1}/webhooks/${distributors.id}`, { key: partnerKey }), 404, "not_found")
        expect(expectData(yield* call("GET", path, { key: distributorKey })).id).toBe(partners.id)

        const ids = (key: string) =>
          Effect.map(call("GET", `${V1}/webhooks`, { key }), (answer) => expectData(answer).map((w: any) => w.id))
        expect(yield* ids(distributorKey)).toEqual([partners.id, distributors.id, customers.id])
        expect(yield* ids(partnerKey)).toEqual([partners.id, customers.id])
        expect(yield* ids(customerKey)).toEqual([customers.id])
        expect(yield* ids(siblingKey)).toEqual([])

        // Narrowed with X-Tenant-ID, the distributor's key creates a webhook owned by the partner.
        const ownedByPartner = expectData(
          yield* call("POST", `${V1}/webhooks`, { key: distributorKey, headers: { "x-tenant-id": partner.id }, body: HOOK }),
          201
        )
        expect(ownedByPartner.account_id).toBe(partner.id)
      }))

    it.effect("viewers read but may not change; delete answers 204 and the webhook is gone", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        const viewer = yield* createKey(partner.id, "viewer")
        const created = yield* createWebhook(partnerKey)
        const path = `${V1}/webhooks/${created.id}`
        expect(expectData(yield* call("GET", path, { key: viewer })).id).toBe(created.id)
        expectError(yield* call("POST", `${V1}/webhooks`, { key: viewer, body: HOOK }), 403, "forbidden")
        expectError(yield* call("PUT", path, { key: viewer, body: { enabled: false } }), 403, "forbidden")
        expectError(yield* call("DELETE", path, { key: viewer }), 403, "forbidden")

        const deleted = yield* call("DELETE", path, { key: partnerKey })
        expect(deleted.status).toBe(204)
        expect(deleted.text).toBe("")
        expectError(yield* call("GET", path, { key: partnerKey }), 404, "not_found")
        expectError(yield* call("DELETE", path, { key: partnerKey }), 404, "not_found")
        expectError(yield* call("GET", `${V1}/webhooks/whk_nosuchwebhook`), 404, "not_found")
      }))
  })

  it.layer(TestServer)("the delivery engine", (it) => {
    it.scoped("a webhook's calls wait its own timeout_ms, not the default 10 s", () =>
      Effect.gen(function* () {
        // A receiver that never answers, as a stuck one would.
        const receiver = yield* serveReceiver(() => {})
        const hook = yield* createWebhook(undefined, { url: `${receiver.url}/hooks`, events: ["ticket.created"], timeout_ms: 300 })
        const { partner } = yield* channel()
        const customer = expectData(yield* call("POST", `${V1}/customers`, { body: { name: "C", partner_id: partner.id } }), 201)
        expectData(yield* call("POST", `${V1}/tickets`, { body: { customer_id: customer.id, subject: "S", description: "D" } }), 201)

        const fiber = yield* Effect.fork(Effect.flatMap(Deliveries, (deliveries) => deliveries.runOnce))
        yield* waitFor(() => receiver.calls().length === 1, "the call")
        // The sender's time-out runs on the TestClock: 400 ms of it ends a 300 ms call, where the
        // default 10 s would leave the run waiting (and waitFor fail) however long real time goes on.
        yield* TestClock.adjust(Duration.millis(400))
        yield* waitFor(() => fiber.unsafePoll() !== null, "the call's time-out")
        const run = yield* Fiber.join(fiber)
        expect(run.retrying).toBe(1)

        const [delivery] = expectData(yield* call("GET", `${V1}/deliveries?target=${hook.id}`))
        const detail = expectData(yield* call("GET", `${V1}/deliveries/${delivery.id}`))
        expect(detail.attempt_log).toHaveLength(1)
        expect(detail.attempt_log[0]).toMatchObject({ number: 1, status_code: null })
        expect(detail.attempt_log[0].error).toMatch(/^timeout/)
        expect(detail.attempt_log[0].error).toContain("300 ms")
      }))
  })
})
