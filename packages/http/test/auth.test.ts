import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import {
  call,
  channel,
  createKey,
  createUser,
  expectData,
  login,
  refresh,
  signIn,
  TEST_PASSWORD,
  TestServer,
  uniqueEmail
} from "./harness"

/** The claims of a JWT, read without checking it (the server does that). */
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"))

/** An answer's body without its request id, to compare two answers. */
const withoutRequestId = (body: any) => ({ ...body, meta: { ...body.meta, request_id: undefined } })

describe("auth", () => {
  it.layer(TestServer)("sign-in and tokens", (it) => {
    it.effect("login answers an access token that works as a bearer token; /me shows the user and its role", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id, "manager")
        const tokens = yield* signIn(user.email)
        expect(tokens.token_type).toBe("Bearer")
        expect(tokens.access_token.split(".")).toHaveLength(3)
        expect(tokens.refresh_token).toMatch(/^pvr_/)
        expect(tokens.expires_at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/)

        const claims = claimsOf(tokens.access_token)
        expect(claims).toMatchObject({ sub: user.id, account_id: partner.id, role: "manager" })
        expect(claims.exp - claims.iat).toBe(15 * 60)
        expect(typeof claims.jti).toBe("string")
        expect(new Date(tokens.expires_at).getTime()).toBe(claims.exp * 1000)

        const me = expectData(yield* call("GET", "/api/v1/me", { key: tokens.access_token }))
        expect(me).toEqual({ account_id: partner.id, account_kind: "partner", role: "manager", user_id: user.id })
        // The user acts in its account's scope with its role.
        expect((yield* call("GET", `/api/v1/partners/${partner.id}`, { key: tokens.access_token })).status).toBe(200)
        expect((yield* call("POST", "/api/v1/api-keys", { key: tokens.access_token, body: { role: "viewer" } })).status)
          .toBe(403)
      }))

    it.effect("the email is matched whatever its case", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id, "viewer", { email: uniqueEmail("Mixed.Case") })
        expect((yield* login(user.email.toUpperCase())).status).toBe(200)
      }))

    it.effect("a wrong password and an unknown email answer the same 401", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id)
        const wrong = yield* login(user.email, "not the password")
        const unknown = yield* login(uniqueEmail("nobody"), "not the password")
        expect(wrong.status).toBe(401)
        expect(unknown.status).toBe(401)
        expect(wrong.body.error.code).toBe("unauthorized")
        expect(withoutRequestId(wrong.body)).toEqual(withoutRequestId(unknown.body))
        expect(wrong.body.meta.request_id).not.toBe(unknown.body.meta.request_id)
      }))

    it.effect("the password never comes back, in no answer", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const password = "a-Very-distinctive-passw0rd"
        const created = yield* call("POST", "/api/v1/users", {
          body: { account_id: partner.id, email: uniqueEmail(), name: "P", role: "admin", password }
        })
        const user = expectData(created, 201)
        const answers = [
          created,
          yield* call("GET", `/api/v1/users/${user.id}`),
          yield* call("GET", "/api/v1/users?limit=200"),
          yield* call("PUT", `/api/v1/users/${user.id}`, { body: { password: `${password}-2` } }),
          yield* login(user.email, `${password}-2`),
          yield* login(user.email, password),
          // A password that fails validation is not quoted in the error either.
          yield* call("POST", "/api/v1/users", { body: { account_id: partner.id, email: uniqueEmail(), name: "P", role: "admin", password: "short" } })
        ]
        for (const answer of answers) {
          expect(answer.text).not.toContain(password)
          expect(answer.text).not.toContain("short\"")
          expect(answer.text).not.toContain("password_hash")
          expect(answer.text).not.toContain("scrypt")
        }
        expect(answers[6]!.status).toBe(422)
        expect(answers[6]!.body.error.field).toBe("password")
      }))

    it.effect("refresh rotates: a new pair in exchange for the refresh token, which is then used up", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id, "viewer")
        const first = yield* signIn(user.email)
        const second = expectData(yield* refresh(first.refresh_token))
        expect(second.token_type).toBe("Bearer")
        expect(second.refresh_token).not.toBe(first.refresh_token)
        expect(second.access_token).not.toBe(first.access_token)
        expect(expectData(yield* call("GET", "/api/v1/me", { key: second.access_token })).user_id).toBe(user.id)
        const third = expectData(yield* refresh(second.refresh_token))
        expect(expectData(yield* call("GET", "/api/v1/me", { key: third.access_token })).user_id).toBe(user.id)
      }))

    it.effect("a used refresh token presented again ends the whole family (the newer token too)", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id)
        const first = yield* signIn(user.email)
        const other = yield* signIn(user.email) // another session of the same user
        const second = expectData(yield* refresh(first.refresh_token))
        const reused = yield* refresh(first.refresh_token)
        expect(reused.status).toBe(401)
        expect(reused.body.error.code).toBe("unauthorized")
        expect((yield* refresh(second.refresh_token)).status).toBe(401)
        // Other sessions go on.
        expect((yield* refresh(other.refresh_token)).status).toBe(200)
      }))

    it.effect("logout ends the session of its refresh token", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id)
        const first = yield* signIn(user.email)
        const second = expectData(yield* refresh(first.refresh_token))
        const out = yield* call("POST", "/api/v1/auth/logout", { key: null, body: { refresh_token: second.refresh_token } })
        expect(out.status).toBe(204)
        expect(out.text).toBe("")
        expect((yield* refresh(second.refresh_token)).status).toBe(401)
        const unknown = yield* call("POST", "/api/v1/auth/logout", { key: null, body: { refresh_token: "pvr_nothing" } })
        expect(unknown.status).toBe(401)
      }))

    it.effect("logout with no body signs the bearer access token's user out of every session", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id)
        const first = yield* signIn(user.email)
        const second = yield* signIn(user.email)
        const out = yield* call("POST", "/api/v1/auth/logout", { key: second.access_token })
        expect(out.status).toBe(204)
        expect(out.text).toBe("")
        expect((yield* refresh(first.refresh_token)).status).toBe(401)
        expect((yield* refresh(second.refresh_token)).status).toBe(401)
        // Another user's sessions go on.
        const other = yield* signIn((yield* createUser(partner.id)).email)
        expect((yield* call("POST", "/api/v1/auth/logout", { key: second.access_token, body: {} })).status).toBe(204)
        expect((yield* refresh(other.refresh_token)).status).toBe(200)
        // Neither a refresh token nor a user's access token: 422 naming refresh_token; a bad access token: 401.
        const nothing = yield* call("POST", "/api/v1/auth/logout", { key: null })
        expect(nothing.status).toBe(422)
        expect(nothing.body.error).toMatchObject({ code: "validation_error", field: "refresh_token" })
        expect((yield* call("POST", "/api/v1/auth/logout", { key: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln" })).status).toBe(401)
      }))

    it.effect("refresh with a token that was never issued is 401; a missing field is 422", () =>
      Effect.gen(function* () {
        expect((yield* refresh("pvr_never_issued")).status).toBe(401)
        const missing = yield* call("POST", "/api/v1/auth/refresh", { key: null, body: {} })
        expect(missing.status).toBe(422)
        expect(missing.body.error.field).toBe("refresh_token")
      }))

    it.effect("after 5 failed sign-ins for an email, the 6th attempt is 429 even with the right password", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id)
        const bystander = yield* createUser(partner.id)
        for (let i = 0; i < 5; i++) {
          expect((yield* login(user.email, `wrong-${i}`)).status).toBe(401)
        }
        const throttled = yield* login(user.email.toUpperCase(), TEST_PASSWORD)
        expect(throttled.status).toBe(429)
        expect(throttled.body.error.code).toBe("rate_limited")
        const retryAfter = Number(throttled.headers["retry-after"])
        expect(retryAfter).toBeGreaterThan(0)
        expect(retryAfter).toBeLessThanOrEqual(15 * 60)
        // Only that email is throttled.
        expect((yield* login(bystander.email)).status).toBe(200)
      }))

    it.effect("a success before the limit starts the count anew", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id)
        for (let i = 0; i < 4; i++) yield* login(user.email, "wrong")
        expect((yield* login(user.email)).status).toBe(200)
        for (let i = 0; i < 4; i++) yield* login(user.email, "wrong")
        expect((yield* login(user.email)).status).toBe(200)
      }))

    it.effect("a disabled user can neither sign in nor use its tokens", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id)
        const tokens = yield* signIn(user.email)
        expect(expectData(yield* call("PUT", `/api/v1/users/${user.id}`, { body: { status: "disabled" } })).status)
          .toBe("disabled")
        expect((yield* call("GET", "/api/v1/me", { key: tokens.access_token })).status).toBe(401)
        expect((yield* refresh(tokens.refresh_token)).status).toBe(401)
        expect((yield* login(user.email)).status).toBe(401)
        // Enabled again, it signs in anew; the sessions from before stay ended.
        yield* call("PUT", `/api/v1/users/${user.id}`, { body: { status: "active" } })
        expect((yield* login(user.email)).status).toBe(200)
        expect((yield* refresh(tokens.refresh_token)).status).toBe(401)
      }))

    it.effect("a user deleted is signed out: its access token is 401", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id)
        const tokens = yield* signIn(user.email)
        expect((yield* call("DELETE", `/api/v1/users/${user.id}`)).status).toBe(204)
        expect((yield* call("GET", "/api/v1/me", { key: tokens.access_token })).status).toBe(401)
        expect((yield* refresh(tokens.refresh_token)).status).toBe(401)
      }))

    it.effect("a tampered or foreign token is 401; API keys still work beside access tokens", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id)
        const tokens = yield* signIn(user.email)
        const [header, payload, signature] = tokens.access_token.split(".")
        // Another role in the payload, the signature kept.
        const forged = Buffer.from(JSON.stringify({ ...claimsOf(tokens.access_token), role: "admin", sub: "usr_x" })).toString("base64url")
        for (const token of [
          `${header}.${forged}.${signature}`,
          `${header}.${payload}.${signature!.slice(0, -4)}AAAA`,
          `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`,
          "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln"
        ]) {
          const answer = yield* call("GET", "/api/v1/me", { key: token })
          expect(answer.status, token).toBe(401)
          expect(answer.body.error.code).toBe("unauthorized")
        }
        const key = yield* createKey(partner.id, "viewer")
        expect(expectData(yield* call("GET", "/api/v1/me", { key })).api_key_id).toMatch(/^key_/)
      }))

    it.effect("X-Tenant-ID narrows a user's request like an API key's", () =>
      Effect.gen(function* () {
        const { distributor, partner } = yield* channel()
        const user = yield* createUser(distributor.id, "viewer")
        const tokens = yield* signIn(user.email)
        const me = expectData(yield* call("GET", "/api/v1/me", { key: tokens.access_token, headers: { "x-tenant-id": partner.id } }))
        expect(me).toMatchObject({ account_id: partner.id, account_kind: "partner", role: "viewer", user_id: user.id })
      }))
  })

  // Time moves in these tests, so they get a server (and a TestClock) of their own.
  it.layer(TestServer)("over time", (it) => {
    it.effect("an access token past its lifetime is 401; the refresh token still gets a new one", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id)
        const tokens = yield* signIn(user.email)
        expect((yield* call("GET", "/api/v1/me", { key: tokens.access_token })).status).toBe(200)
        yield* TestClock.adjust("14 minutes")
        expect((yield* call("GET", "/api/v1/me", { key: tokens.access_token })).status).toBe(200)
        yield* TestClock.adjust("2 minutes")
        const expired = yield* call("GET", "/api/v1/me", { key: tokens.access_token })
        expect(expired.status).toBe(401)
        expect(expired.body.error).toMatchObject({ code: "unauthorized", message: "the access token has expired" })
        const renewed = expectData(yield* refresh(tokens.refresh_token))
        expect((yield* call("GET", "/api/v1/me", { key: renewed.access_token })).status).toBe(200)
      }))

    it.effect("throttling lasts until the window of failures passes", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id)
        for (let i = 0; i < 5; i++) {
          yield* login(user.email, "wrong")
          yield* TestClock.adjust("1 minute")
        }
        // The first failure was 5 minutes ago: 10 more minutes to wait.
        const throttled = yield* login(user.email)
        expect(throttled.status).toBe(429)
        expect(throttled.headers["retry-after"]).toBe(String(10 * 60))
        yield* TestClock.adjust("9 minutes")
        expect((yield* login(user.email)).status).toBe(429)
        yield* TestClock.adjust("1 minute")
        expect((yield* login(user.email)).status).toBe(200)
      }))

    it.effect("a refresh token lasts 30 days", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const user = yield* createUser(partner.id)
        const tokens = yield* signIn(user.email)
        yield* TestClock.adjust("29 days")
        const renewed = expectData(yield* refresh(tokens.refresh_token))
        yield* TestClock.adjust("30 days")
        const expired = yield* refresh(renewed.refresh_token)
        expect(expired.status).toBe(401)
        expect(expired.body.error.message).toContain("expired")
      }))
  })
})
