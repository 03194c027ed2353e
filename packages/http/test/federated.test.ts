import { describe, expect, it } from "@effect/vitest"
import {
  generateSigningKey,
  type IdTokenClaims,
  jwksOf,
  serveJwks,
  signIdToken,
  signWithSecret
} from "@provisio/adapters/testing/oidc"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { type Answer, call, channel, expectData, TestServer } from "./harness"

const FEDERATED = "/api/v1/auth/federated"
const ISSUER = "https://idp.acme.example"
const AUDIENCE = "provisio-client-1"
/** Where the tests' clock starts: ID tokens are signed relative to it, not to the wall clock. */
const START = Date.parse("2026-11-23T10:00:00Z")

let counter = 0
/** Provider ids and emails are unique across the platform: every fixture takes new ones. */
const unique = (name: string) => `${name}-${Date.now().toString(36)}-${counter++}`

const expectUnauthorized = (answer: Answer) => {
  expect(answer.status, answer.text).toBe(401)
  expect(answer.body).toMatchObject({ success: false, error: { code: "unauthorized" } })
  return answer.body.error.message as string
}

/** The test clock, moved to `START` the first time: tokens must be current against `Clock`. */
const nowSeconds = Effect.gen(function* () {
  if ((yield* Clock.currentTimeMillis) < START) yield* TestClock.setTime(START)
  return Math.floor((yield* Clock.currentTimeMillis) / 1000)
})

const createUser = (account_id: string, email: string, role = "manager") =>
  Effect.map(
    call("POST", "/api/v1/users", { body: { account_id, email, name: "Federated User", role } }),
    (answer) => expectData(answer, 201)
  )

const signIn = (provider: string, id_token: string) =>
  call("POST", FEDERATED, { key: null, body: { provider, id_token } })

/**
 * A partner with an OIDC provider whose keys (one RS256, one ES256) are served from a local
 * JWKS endpoint, and a user of the partner whose email the provider vouches for.
 */
const fixture = (provider: Record<string, unknown> = {}) =>
  Effect.gen(function* () {
    const now = yield* nowSeconds
    const rsa = yield* generateSigningKey("RS256")
    const ec = yield* generateSigningKey("ES256")
    const jwks = yield* serveJwks(() => jwksOf([rsa, ec]))
    const { distributor, partner, partnerKey } = yield* channel()
    const providerId = unique("acme-idp")
    expectData(yield* call("PUT", "/api/v1/settings", {
      key: partnerKey,
      body: {
        identity_providers: [
          { id: providerId, type: "oidc", issuer: ISSUER, audience: AUDIENCE, jwks_uri: jwks.url, ...provider }
        ]
      }
    }))
    const email = `${unique("ann")}@acme.example`
    const user = yield* createUser(partner.id, email)
    const claims = (overrides: Partial<IdTokenClaims> = {}): IdTokenClaims => ({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: unique("subject"),
      email,
      email_verified: true,
      iat: now,
      exp: now + 300,
      ...overrides
    })
    return { now, rsa, ec, jwks, distributor, partner, partnerKey, providerId, email, user, claims }
  })

/** The signature part of a compact JWS with one character changed. */
const tamper = (token: string) => {
  const [header, payload, signature] = token.split(".") as [string, string, string]
  const middle = Math.floor(signature.length / 2)
  const flipped = signature[middle] === "A" ? "B" : "A"
  return `${header}.${payload}.${signature.slice(0, middle)}${flipped}${signature.slice(middle + 1)}`
}

describe("federated sign-in", () => {
  it.layer(TestServer)("POST /auth/federated", (it) => {
    it.scoped("a valid RS256 token for a user with that verified email answers our tokens, which work", () =>
      Effect.gen(function* () {
        const f = yield* fixture()
        const answer = yield* signIn(f.providerId, yield* signIdToken(f.rsa, f.claims()))
        const tokens = expectData(answer)
        expect(tokens).toMatchObject({ token_type: "Bearer" })
        expect(typeof tokens.access_token).toBe("string")
        expect(typeof tokens.refresh_token).toBe("string")
        expect(Date.parse(tokens.expires_at)).toBeGreaterThan(f.now * 1000)
        const me = expectData(yield* call("GET", "/api/v1/me", { key: tokens.access_token }))
        expect(me).toMatchObject({ account_id: f.partner.id, account_kind: "partner", role: "manager", user_id: f.user.id })
        // The refresh token is an ordinary one.
        const refreshed = expectData(yield* call("POST", "/api/v1/auth/refresh", { key: null, body: { refresh_token: tokens.refresh_token } }))
        expect(refreshed.token_type).toBe("Bearer")
        expect(f.jwks.fetches()).toBeGreaterThan(0)
      }))

    it.scoped("ES256 tokens verify too", () =>
      Effect.gen(function* () {
        const f = yield* fixture()
        expectData(yield* signIn(f.providerId, yield* signIdToken(f.ec, f.claims())))
      }))

    it.scoped("once matched by email, the subject is linked: the user signs in whatever the token's email", () =>
      Effect.gen(function* () {
        const f = yield* fixture()
        const sub = unique("stable-subject")
        expectData(yield* signIn(f.providerId, yield* signIdToken(f.rsa, f.claims({ sub }))))
        const renamed = f.claims({ sub, email: "ann.renamed@acme.example", email_verified: false })
        const tokens = expectData(yield* signIn(f.providerId, yield* signIdToken(f.rsa, renamed)))
        expect(expectData(yield* call("GET", "/api/v1/me", { key: tokens.access_token })).user_id).toBe(f.user.id)
        // Another subject with an unverified email is nobody.
        expectUnauthorized(yield* signIn(f.providerId, yield* signIdToken(f.rsa, { ...renamed, sub: unique("other") })))
      }))

    it.scoped("rejected tokens are 401 with one message, the same as for an unknown provider", () =>
      Effect.gen(function* () {
        const f = yield* fixture()
        const stranger = yield* generateSigningKey("RS256", f.rsa.kid)
        const unknownKid = yield* generateSigningKey("ES256")
        const valid = yield* signIdToken(f.rsa, f.claims())
        const hmac = yield* signWithSecret(f.claims())
        const rejected = {
          // Past its expiry by more than the provider's 60 seconds of skew.
          expired: yield* signIdToken(f.rsa, f.claims({ iat: f.now - 3600, exp: f.now - 61 })),
          notYetValid: yield* signIdToken(f.rsa, f.claims({ nbf: f.now + 600 })),
          wrongAudience: yield* signIdToken(f.rsa, f.claims({ aud: "someone-else" })),
          wrongIssuer: yield* signIdToken(f.rsa, f.claims({ iss: "https://evil.example" })),
          // Signed by a key the provider does not publish, under a kid it does publish.
          foreignKey: yield* signIdToken(stranger, f.claims()),
          unknownKid: yield* signIdToken(unknownKid, f.claims()),
          tampered: tamper(valid),
          hmac
        }
        const messages = new Set<string>()
        for (const [name, token] of Object.entries(rejected)) {
          const answer = yield* signIn(f.providerId, token)
          expect(answer.status, `${name}: ${answer.text}`).toBe(401)
          messages.add(expectUnauthorized(answer))
        }
        const unknownProvider = expectUnauthorized(yield* signIn(unique("no-such-provider"), valid))
        expect([...messages]).toEqual([unknownProvider])
        expect(unknownProvider).not.toContain(f.providerId)
        // The untouched token still works: nothing above was a fluke of the fixture.
        expectData(yield* signIn(f.providerId, valid))
      }))

    it.scoped("the provider's clock skew tolerates a token just past its expiry", () =>
      Effect.gen(function* () {
        const f = yield* fixture({ clock_skew_seconds: 120 })
        const late = f.claims({ iat: f.now - 3600, exp: f.now - 90 })
        expectData(yield* signIn(f.providerId, yield* signIdToken(f.rsa, late)))
      }))

    it.scoped("expiry follows the server's Clock", () =>
      Effect.gen(function* () {
        const f = yield* fixture()
        const token = yield* signIdToken(f.rsa, f.claims({ exp: f.now + 120 }))
        yield* TestClock.adjust("3 minutes")
        expectUnauthorized(yield* signIn(f.providerId, token))
      }))

    it.scoped("a verified identity still needs a user: unverified email, no email, or nobody with it", () =>
      Effect.gen(function* () {
        const f = yield* fixture()
        const unverified = expectUnauthorized(
          yield* signIn(f.providerId, yield* signIdToken(f.rsa, f.claims({ email_verified: false })))
        )
        expect(unverified).toMatch(/email_verified/)
        const { email: _, ...withoutEmail } = f.claims()
        expectUnauthorized(yield* signIn(f.providerId, yield* signIdToken(f.rsa, withoutEmail as IdTokenClaims)))
        expectUnauthorized(
          yield* signIn(f.providerId, yield* signIdToken(f.rsa, f.claims({ email: "nobody@acme.example" })))
        )
      }))

    it.scoped("users are matched within the provider's account and below it only", () =>
      Effect.gen(function* () {
        const f = yield* fixture()
        // A user of a customer of the partner signs in through the partner's provider.
        const customer = expectData(
          yield* call("POST", "/api/v1/customers", { body: { name: "Tenant", partner_id: f.partner.id } }),
          201
        )
        const tenantUser = yield* createUser(customer.id, `${unique("tenant")}@acme.example`, "admin")
        const tokens = expectData(
          yield* signIn(f.providerId, yield* signIdToken(f.rsa, f.claims({ email: tenantUser.email })))
        )
        expect(expectData(yield* call("GET", "/api/v1/me", { key: tokens.access_token }))).toMatchObject({
          account_id: customer.id,
          account_kind: "customer",
          user_id: tenantUser.id
        })
        // A user of another partner, even with an email the provider vouches for, is not reachable.
        const other = yield* channel()
        const outsider = yield* createUser(other.partner.id, `${unique("outsider")}@other.example`)
        expectUnauthorized(yield* signIn(f.providerId, yield* signIdToken(f.rsa, f.claims({ email: outsider.email }))))
        // Nor is a user of the partner's distributor, above the provider's account.
        const above = yield* createUser(f.distributor.id, `${unique("above")}@acme.example`)
        expectUnauthorized(yield* signIn(f.providerId, yield* signIdToken(f.rsa, f.claims({ email: above.email }))))
      }))

    it.scoped("a disabled provider, a disabled user and a malformed token are 401", () =>
      Effect.gen(function* () {
        const f = yield* fixture()
        const token = yield* signIdToken(f.rsa, f.claims())
        expectUnauthorized(yield* signIn(f.providerId, "not-a-jwt"))
        expect((yield* call("PUT", `/api/v1/users/${f.user.id}`, { body: { status: "disabled" } })).status).toBe(200)
        expectUnauthorized(yield* signIn(f.providerId, token))
        expect((yield* call("PUT", `/api/v1/users/${f.user.id}`, { body: { status: "active" } })).status).toBe(200)
        expectData(yield* signIn(f.providerId, token))
        expectData(yield* call("PUT", "/api/v1/settings", {
          key: f.partnerKey,
          body: {
            identity_providers: [
              { id: f.providerId, type: "oidc", issuer: ISSUER, audience: AUDIENCE, jwks_uri: f.jwks.url, enabled: false }
            ]
          }
        }))
        expectUnauthorized(yield* signIn(f.providerId, token))
      }))

    it.scoped("a provider with its keys inline (no JWKS URL)", () =>
      Effect.gen(function* () {
        const now = yield* nowSeconds
        const key = yield* generateSigningKey("ES256")
        const { partner, partnerKey } = yield* channel()
        const providerId = unique("inline-idp")
        expectData(yield* call("PUT", "/api/v1/settings", {
          key: partnerKey,
          body: {
            identity_providers: [{ id: providerId, type: "oidc", issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf([key]) }]
          }
        }))
        const user = yield* createUser(partner.id, `${unique("inline")}@acme.example`)
        const claims = { iss: ISSUER, aud: AUDIENCE, sub: unique("s"), email: user.email, email_verified: true, iat: now, exp: now + 60 }
        const tokens = expectData(yield* signIn(providerId, yield* signIdToken(key, claims)))
        expect(expectData(yield* call("GET", "/api/v1/me", { key: tokens.access_token })).user_id).toBe(user.id)
        // A token without a kid still finds the one key that fits.
        expectData(yield* signIn(providerId, yield* signIdToken(key, claims, { kid: null })))
        const stranger = yield* generateSigningKey("ES256", key.kid)
        expectUnauthorized(yield* signIn(providerId, yield* signIdToken(stranger, claims)))
      }))

    it.effect("an unknown provider is 401, never 404, and a body without id_token is 422", () =>
      Effect.gen(function* () {
        expectUnauthorized(yield* signIn("no-such-provider", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"))
        const missing = yield* call("POST", FEDERATED, { key: null, body: { provider: "x" } })
        expect(missing.status).toBe(422)
        expect(missing.body.error.field).toBe("id_token")
      }))
  })
})
