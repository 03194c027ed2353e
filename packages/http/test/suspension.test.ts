import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Duration from "effect/Duration"
import * as TestClock from "effect/TestClock"
import { PRINCIPAL_CACHE_BOUND } from "@provisio/core/auth/principal-cache"
import {
  call,
  channel,
  createKey,
  createUser,
  expectData,
  login,
  refresh,
  serverOver,
  sharedDatabase,
  signIn,
  TEST_PASSWORD,
  uniqueEmail
} from "./harness"
import { expectError, OrderingServer, V1 } from "./ordering-fixtures"

/**
 * A suspended account's own users and keys are refused on every request (403 account_suspended)
 * and cannot sign in or refresh; so is everything below it (docs/security.md). The accounts above
 * it still act within it, and a resumption takes effect at once. An API key's principal (its
 * lineage's suspensions included) is remembered by a process for at most `PRINCIPAL_CACHE_BOUND`
 * (1 s): a suspension holds at once in the process that made it, and across processes within it.
 */

const suspend = (path: string, key?: string) => call("PUT", path, { key, body: { status: "suspended" } })
const resume = (path: string, key?: string) => call("PUT", path, { key, body: { status: "active" } })

/** A partner with an admin key and a signed-in admin user, and a customer with its own signed-in admin. */
const world = Effect.gen(function* () {
  const { distributor, distributorKey, partner, partnerKey } = yield* channel()
  const partnerUser = yield* createUser(partner.id, "admin")
  const partnerTokens = yield* signIn(partnerUser.email)
  const customer = expectData(yield* call("POST", `${V1}/customers`, { body: { name: "C", partner_id: partner.id } }), 201)
  const customerEmail = uniqueEmail("customer-admin")
  expectData(
    yield* call("POST", `${V1}/customers/${customer.id}/admins`, {
      body: { email: customerEmail, name: "C admin", password: TEST_PASSWORD }
    }),
    201
  )
  const customerTokens = yield* signIn(customerEmail)
  return { distributor, distributorKey, partner, partnerKey, partnerUser, partnerTokens, customer, customerTokens }
})

const expectSuspended = (answer: Parameters<typeof expectError>[0]) => expectError(answer, 403, "account_suspended")

describe("suspended accounts", () => {
  it.layer(OrderingServer)("suspension and resumption", (it) => {
    it.effect("a suspended partner's keys and users are refused on every request, and cannot sign in or refresh", () =>
      Effect.gen(function* () {
        const w = yield* world
        expectData(yield* suspend(`${V1}/partners/${w.partner.id}`, w.distributorKey))

        // Reads and writes, with an API key and with a user's access token.
        expectSuspended(yield* call("GET", `${V1}/me`, { key: w.partnerKey }))
        expectSuspended(yield* call("GET", `${V1}/customers`, { key: w.partnerKey }))
        expectSuspended(yield* call("POST", `${V1}/customers`, { key: w.partnerKey, body: { name: "Sneaky" } }))
        expectSuspended(yield* call("GET", `${V1}/me`, { key: w.partnerTokens.access_token }))
        expectSuspended(yield* call("PUT", `${V1}/partners/${w.partner.id}`, { key: w.partnerKey, body: { name: "Renamed" } }))

        // Signing in and refreshing: refused once the password is proven, so a wrong one still says only 401.
        expectSuspended(yield* login(w.partnerUser.email))
        expectError(yield* login(w.partnerUser.email, "not the password"), 401, "unauthorized")
        expectSuspended(yield* refresh(w.partnerTokens.refresh_token))

        // Nothing was created meanwhile.
        const customers = expectData(yield* call("GET", `${V1}/customers`, { key: w.distributorKey }))
        expect(customers.map((c: any) => c.name)).toEqual(["C"])
      }))

    it.effect("what is below a suspended partner is refused too; the accounts above still act within it", () =>
      Effect.gen(function* () {
        const w = yield* world
        expectData(yield* suspend(`${V1}/partners/${w.partner.id}`))

        // The partner's customer, whose provider is suspended.
        expectSuspended(yield* call("GET", `${V1}/me`, { key: w.customerTokens.access_token }))
        expectSuspended(yield* refresh(w.customerTokens.refresh_token))
        const customerKey = yield* createKey(w.customer.id)
        expectSuspended(yield* call("GET", `${V1}/customers/${w.customer.id}`, { key: customerKey }))

        // The distributor above reads it, and acts within it through X-Tenant-ID.
        expect(expectData(yield* call("GET", `${V1}/partners/${w.partner.id}`, { key: w.distributorKey })).status)
          .toBe("suspended")
        const within = { key: w.distributorKey, headers: { "x-tenant-id": w.partner.id } }
        expect(expectData(yield* call("GET", `${V1}/me`, within)).account_id).toBe(w.partner.id)
        expect(expectData(yield* call("GET", `${V1}/customers`, within)).map((c: any) => c.id)).toEqual([w.customer.id])
      }))

    it.effect("resumed, the same keys, users and refresh tokens work again", () =>
      Effect.gen(function* () {
        const w = yield* world
        expectData(yield* suspend(`${V1}/partners/${w.partner.id}`, w.distributorKey))
        expectSuspended(yield* refresh(w.partnerTokens.refresh_token))
        expectData(yield* resume(`${V1}/partners/${w.partner.id}`, w.distributorKey))

        expect(expectData(yield* call("GET", `${V1}/me`, { key: w.partnerKey })).account_id).toBe(w.partner.id)
        expect(expectData(yield* call("GET", `${V1}/me`, { key: w.partnerTokens.access_token })).user_id)
          .toBe(w.partnerUser.id)
        // The refused refresh did not use the token up.
        expectData(yield* refresh(w.partnerTokens.refresh_token))
        expectData(yield* login(w.partnerUser.email))
        expectData(yield* call("GET", `${V1}/me`, { key: w.customerTokens.access_token }))
      }))

    it.effect("a suspended distributor takes its partners and their customers with it; the platform still acts", () =>
      Effect.gen(function* () {
        const w = yield* world
        const other = yield* channel()
        expectData(yield* suspend(`${V1}/distributors/${w.distributor.id}`))

        expectSuspended(yield* call("GET", `${V1}/me`, { key: w.distributorKey }))
        expectSuspended(yield* call("GET", `${V1}/me`, { key: w.partnerKey }))
        expectSuspended(yield* call("GET", `${V1}/me`, { key: w.partnerTokens.access_token }))
        expectSuspended(yield* call("GET", `${V1}/me`, { key: w.customerTokens.access_token }))
        expectSuspended(yield* login(w.partnerUser.email))
        // Another distributor's channel is untouched.
        expectData(yield* call("GET", `${V1}/me`, { key: other.partnerKey }))

        // The platform acts within the suspended distributor, and resumes it.
        const within = { headers: { "x-tenant-id": w.distributor.id } }
        expect(expectData(yield* call("GET", `${V1}/partners`, within)).map((p: any) => p.id)).toEqual([w.partner.id])
        expectData(yield* resume(`${V1}/distributors/${w.distributor.id}`))
        expectData(yield* call("GET", `${V1}/me`, { key: w.partnerKey }))
      }))

    it.effect("an account cannot lift its own suspension, nor suspend itself", () =>
      Effect.gen(function* () {
        const w = yield* world
        expectError(yield* suspend(`${V1}/partners/${w.partner.id}`, w.partnerKey), 403, "forbidden")
        expectData(yield* suspend(`${V1}/partners/${w.partner.id}`, w.distributorKey))
        expectSuspended(yield* resume(`${V1}/partners/${w.partner.id}`, w.partnerKey))
      }))
  })

  it.scoped("a suspension made through one server is refused by another within the principal cache's bound", () =>
    Effect.gen(function* () {
      const database = yield* sharedDatabase
      const first = yield* Layer.build(serverOver(database))
      const second = yield* Layer.build(serverOver(database))
      const onFirst = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, first)
      const onSecond = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, second)

      const { partner, partnerKey } = yield* onFirst(channel())
      expectData(yield* onSecond(call("GET", `${V1}/me`, { key: partnerKey })))
      expectData(yield* onFirst(suspend(`${V1}/partners/${partner.id}`)))
      // The second server read the key's principal just now: it may answer from it until the bound.
      yield* TestClock.adjust(Duration.toMillis(PRINCIPAL_CACHE_BOUND))
      expectSuspended(yield* onSecond(call("GET", `${V1}/me`, { key: partnerKey })))
      expectData(yield* onSecond(resume(`${V1}/partners/${partner.id}`)))
      expectData(yield* onFirst(call("GET", `${V1}/me`, { key: partnerKey })))
    }))
})
