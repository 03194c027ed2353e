import { describe, expect, it } from "@effect/vitest"
import { ProvisioningTargetRepoLive } from "@provisio/adapters/postgres/provisioning"
import { provisioningRequest } from "@provisio/adapters/push/signer"
import { ProvisioningTargetRepo } from "@provisio/core/provisioning/ports"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { Webhook } from "standardwebhooks"
import { callAndTick as call, channel, createKey, expectData, expectError, TestServer, withSettings } from "./harness"


const V1 = "/api/v1"

let names = 0
const createProduct = Effect.suspend(() =>
  Effect.map(
    call("POST", `${V1}/products`, { body: { name: `Hosted PBX ${++names}`, type: "service" } }),
    (answer) => expectData(answer, 201).id as string
  ))

const target = (productId: string) => `${V1}/products/${productId}/provisioning`

const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/
const GIVEN_SECRET = `whsec_${Buffer.alloc(32, 42).toString("base64")}`

/** What the engine will sign with: the stored target, read through the adapter. */
const stored = (productId: string) =>
  Effect.flatMap(ProvisioningTargetRepo, (repo) => repo.find(productId)).pipe(
    Effect.map(Option.getOrThrow),
    Effect.provide(ProvisioningTargetRepoLive)
  )

describe("provisioning targets", () => {
  it.layer(TestServer)("over HTTP", (it) => {
    it.effect("the first PUT sets a target up, generating a secret shown in that answer only", () =>
      Effect.gen(function* () {
        const product = yield* createProduct
        expectError(yield* call("GET", target(product)), 404, "not_found")

        const created = expectData(yield* call("PUT", target(product), { body: { base_url: "https://provider.example/provisio/" } }))
        expect(created).toMatchObject({
          product_id: product,
          base_url: "https://provider.example/provisio",
          endpoints: ["subscriptions"],
          timeout_ms: 10_000,
          secret_rotation: null
        })
        expect(created.secret).toMatch(SECRET)
        expect(created.secret_prefix).toBe(created.secret.slice(0, 12))

        const read = expectData(yield* call("GET", target(product)))
        expect(read.secret).toBeUndefined()
        expect(read).toEqual({ ...created, secret: undefined, updated_at: created.updated_at })
        expect(JSON.stringify(read)).not.toContain(created.secret)

        const changed = expectData(yield* call("PUT", target(product), {
          body: { endpoints: ["devices", "subscriptions", "networks"], timeout_ms: 2500 }
        }))
        expect(changed).toMatchObject({
          base_url: "https://provider.example/provisio",
          endpoints: ["subscriptions", "networks", "devices"],
          timeout_ms: 2500,
          secret_prefix: created.secret_prefix
        })
        expect(changed.secret).toBeUndefined()
        expect((yield* stored(product)).keys).toEqual({ current: created.secret, previous: null, previous_expires_at: null })
      }))

    it.effect("http:// is accepted for localhost and 127.0.0.1; a given secret is kept and not echoed", () =>
      Effect.gen(function* () {
        for (const base_url of ["http://localhost:8080/hooks", "http://127.0.0.1:9000"]) {
          const product = yield* createProduct
          const saved = expectData(yield* call("PUT", target(product), { body: { base_url, secret: GIVEN_SECRET } }))
          expect(saved.base_url).toBe(base_url)
          expect(saved.secret).toBeUndefined()
          expect(saved.secret_prefix).toBe(GIVEN_SECRET.slice(0, 12))
          expect((yield* stored(product)).keys.current).toBe(GIVEN_SECRET)
        }
      }))

    it.effect("rotate_secret: a new secret, shown once; the old one signs beside it for 24 hours", () =>
      Effect.gen(function* () {
        // Signatures are verified against the wall clock: the test clock moves to it (forward only).
        yield* TestClock.setTime(Date.now())
        const product = yield* createProduct
        const first = expectData(yield* call("PUT", target(product), { body: { base_url: "https://provider.example" } }))
        const rotated = expectData(yield* call("PUT", target(product), { body: { rotate_secret: true } }))
        expect(rotated.secret).toMatch(SECRET)
        expect(rotated.secret).not.toBe(first.secret)
        expect(rotated.secret_prefix).toBe(rotated.secret.slice(0, 12))
        const rotatedAt = DateTime.unsafeMake(rotated.updated_at)
        expect(rotated.secret_rotation).toEqual({
          previous_secret_prefix: first.secret_prefix,
          previous_secret_expires_at: DateTime.formatIso(DateTime.add(rotatedAt, { hours: 24 }))
        })

        // The engine signs with both: the provider verifies with either.
        const keys = (yield* stored(product)).keys
        expect(keys).toMatchObject({ current: rotated.secret, previous: first.secret })
        const signed = Option.getOrThrow(yield* provisioningRequest(yield* stored(product), {
          event_id: "evt_1",
          occurred_at: DateTime.unsafeMake(0),
          action: "DELETE",
          kind: "subscriptions",
          resource_id: "sub_1",
          resource: { id: "sub_1" }
        }))
        expect(signed.headers["webhook-signature"]!.split(" ")).toHaveLength(2)
        for (const secret of [first.secret, rotated.secret]) {
          expect(new Webhook(secret).verify(signed.body, { ...signed.headers })).toMatchObject({ action: "DELETE" })
        }
      }))

    it.effect("past the overlap the rotation is over; `secret` alone replaces the secret at once", () =>
      Effect.gen(function* () {
        const product = yield* createProduct
        expectData(yield* call("PUT", target(product), { body: { base_url: "https://provider.example" } }))
        const rotated = expectData(yield* call("PUT", target(product), { body: { rotate_secret: true } }))
        yield* TestClock.adjust("24 hours")
        const later = expectData(yield* call("GET", target(product)))
        expect(later.secret_rotation).toBeNull()
        expect(later.secret_prefix).toBe(rotated.secret_prefix)

        const rotatedAgain = expectData(yield* call("PUT", target(product), { body: { rotate_secret: true } }))
        expect(rotatedAgain.secret_rotation).not.toBeNull()
        const replaced = expectData(yield* call("PUT", target(product), { body: { secret: GIVEN_SECRET } }))
        expect(replaced.secret).toBeUndefined()
        expect(replaced.secret_rotation).toBeNull()
        expect((yield* stored(product)).keys).toEqual({ current: GIVEN_SECRET, previous: null, previous_expires_at: null })
      }))

    it.effect("invalid fields are 422 naming the field, and nothing is stored", () =>
      Effect.gen(function* () {
        const product = yield* createProduct
        const put = (body: unknown) => call("PUT", target(product), { body })
        expectError(yield* put({}), 422, "validation_error", "base_url")
        expectError(yield* put({ endpoints: ["subscriptions"] }), 422, "validation_error", "base_url")
        for (const base_url of ["not a url", "ftp://provider.example", "/provisio", "https://user:pw@provider.example", "https://provider.example/?key=1", 42]) {
          expectError(yield* put({ base_url }), 422, "validation_error", "base_url")
        }
        const plainHttp = yield* put({ base_url: "http://provider.example/provisio" })
        expectError(plainHttp, 422, "validation_error", "base_url")
        expect(plainHttp.body.error.message).toContain("https://")
        const base_url = "https://provider.example"
        const unknownKind = yield* put({ base_url, endpoints: ["subscriptions", "printers"] })
        expectError(unknownKind, 422, "validation_error", "endpoints[1]")
        expect(unknownKind.body.error.message).toContain("subscriptions, networks, ssids, devices")
        expectError(yield* put({ base_url, endpoints: [] }), 422, "validation_error", "endpoints")
        expectError(yield* put({ base_url, endpoints: ["ssids", "ssids"] }), 422, "validation_error", "endpoints[1]")
        for (const timeout_ms of [99, 60_001, 1.5, "10000"]) {
          expectError(yield* put({ base_url, timeout_ms }), 422, "validation_error", "timeout_ms")
        }
        for (const secret of ["hunter2", "whsec_", `whsec_${Buffer.alloc(8).toString("base64")}`]) {
          const refused = yield* put({ base_url, secret })
          expectError(refused, 422, "validation_error", "secret")
          if (secret !== "whsec_") expect(refused.text).not.toContain(secret)
        }
        expectError(yield* put({ base_url, rotate_secret: "yes" }), 422, "validation_error", "rotate_secret")
        expectError(yield* call("GET", target(product)), 404, "not_found")
      }))

    it.effect("an unknown product is 404", () =>
      Effect.gen(function* () {
        expectError(yield* call("GET", target("prd_nosuchproduct")), 404, "not_found")
        expectError(
          yield* call("PUT", target("prd_nosuchproduct"), { body: { base_url: "https://provider.example" } }),
          404,
          "not_found"
        )
      }))

    it.effect("a target is the platform admins' alone: anyone else finds none, and cannot write one", () =>
      Effect.gen(function* () {
        const product = yield* createProduct
        expectData(yield* call("PUT", target(product), { body: { base_url: "https://provider.example" } }))
        const { distributorKey, partnerKey, partner } = yield* channel()
        const customer = expectData(yield* call("POST", `${V1}/customers`, { body: { name: "C", partner_id: partner.id } }), 201)
        const customerKey = yield* createKey(customer.id)
        const partnerViewer = yield* createKey(partner.id, "viewer")
        const platform = expectData(yield* call("GET", `${V1}/me`)).account_id
        const platformManager = yield* createKey(platform, "manager")

        // The provider's base URL and the secret's prefix are the platform's: not even their existence shows.
        for (const key of [distributorKey, partnerKey, customerKey, partnerViewer, platformManager]) {
          const read = yield* call("GET", target(product), { key })
          expectError(read, 404, "not_found")
          expect(read.text).not.toContain("provider.example")
          expectError(yield* call("PUT", target(product), { key, body: { timeout_ms: 500 } }), 404, "not_found")
        }
        expect(expectData(yield* call("GET", target(product))).timeout_ms).toBe(10_000)
      }))
  })

  it.layer(withSettings({ PROVISIO_SECRET_ROTATION_OVERLAP: "90 minutes" })(TestServer))("configuration", (it) => {
    it.effect("PROVISIO_SECRET_ROTATION_OVERLAP sets how long the old secret keeps signing", () =>
      Effect.gen(function* () {
        const product = yield* createProduct
        expectData(yield* call("PUT", target(product), { body: { base_url: "https://provider.example" } }))
        const rotated = expectData(yield* call("PUT", target(product), { body: { rotate_secret: true } }))
        expect(rotated.secret_rotation.previous_secret_expires_at).toBe(
          DateTime.formatIso(DateTime.add(DateTime.unsafeMake(rotated.updated_at), { minutes: 90 }))
        )
        yield* TestClock.adjust("89 minutes")
        expect(expectData(yield* call("GET", target(product))).secret_rotation).not.toBeNull()
        yield* TestClock.adjust("1 minute")
        expect(expectData(yield* call("GET", target(product))).secret_rotation).toBeNull()
      }))
  })
})
