import { describe, expect, it } from "@effect/vitest"
import { IdTokenVerifierLive } from "@provisio/adapters/oidc/verifier"
import { generateSigningKey, jwksOf, serveJwks, signIdToken } from "@provisio/adapters/testing/oidc"
import { IdTokenVerifier } from "@provisio/core/federation/ports"
import { IdentityProvider } from "@provisio/core/settings/model"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as jose from "jose"

const NOW = Date.parse("2026-11-23T10:00:00Z")
const now = DateTime.unsafeMake(NOW)
const seconds = Math.floor(NOW / 1000)

const provider = (fields: Partial<IdentityProvider>) =>
  new IdentityProvider({
    id: "test-idp",
    type: "oidc",
    issuer: "https://idp.example",
    audience: "client-1",
    jwks_uri: null,
    jwks: null,
    tenant_id: null,
    clock_skew_seconds: 60,
    enabled: true,
    ...fields
  })

const claims = { iss: "https://idp.example", aud: "client-1", sub: "user-1", iat: seconds, exp: seconds + 300 }

/** Why the verifier refused the token (`ok` when it did not). */
const reason = (p: IdentityProvider, token: string) =>
  Effect.flatMap(IdTokenVerifier, (verifier) => verifier.verify(p, token, now)).pipe(
    Effect.map(() => "ok"),
    Effect.catchTag("IdTokenRejected", (rejected) => Effect.succeed(rejected.reason))
  )

describe("IdTokenVerifier (jose)", () => {
  it.effect("maps each failure to its reason; time is the caller's `now`", () =>
    Effect.gen(function* () {
      const key = yield* generateSigningKey("RS256")
      const stranger = yield* generateSigningKey("RS256", key.kid)
      const p = provider({ jwks: jwksOf([key]) as IdentityProvider["jwks"] })
      const verifier = yield* IdTokenVerifier
      const verified = yield* verifier.verify(p, yield* signIdToken(key, { ...claims, email: "a@b.example", email_verified: "true" }), now)
      expect(verified).toMatchObject({ subject: "user-1", email: "a@b.example", email_verified: true })
      const unverified = yield* verifier.verify(p, yield* signIdToken(key, claims), now)
      expect(unverified.email).toBeUndefined()
      expect(unverified.email_verified).toBe(false)

      const valid = yield* signIdToken(key, claims)
      const [h, b, s] = valid.split(".")
      const unsigned = `${h}.${b}.`
      expect(yield* reason(p, yield* signIdToken(key, { ...claims, exp: seconds - 61 }))).toBe("expired")
      expect(yield* reason(p, yield* signIdToken(key, { ...claims, exp: seconds - 59 }))).toBe("ok")
      expect(yield* reason(p, yield* signIdToken(key, { ...claims, nbf: seconds + 120 }))).toBe("not_yet_valid")
      expect(yield* reason(p, yield* signIdToken(key, { ...claims, aud: "other" }))).toBe("audience")
      expect(yield* reason(p, yield* signIdToken(key, { ...claims, iss: "https://other.example" }))).toBe("issuer")
      expect(yield* reason(p, yield* signIdToken(stranger, claims))).toBe("signature")
      expect(yield* reason(p, yield* signIdToken(key, claims, { kid: "nope" }))).toBe("unknown_key")
      expect(yield* reason(p, `${h}.${b}.${s!.slice(0, -4)}AAAA`)).toBe("signature")
      expect(yield* reason(p, unsigned)).toBe("signature")
      expect(yield* reason(p, "a.b.c")).toBe("malformed")
      const { sub: _, ...noSubject } = claims
      expect(yield* reason(p, yield* signIdToken(key, noSubject as typeof claims))).toBe("claims")
      const hmac = yield* Effect.promise(() =>
        new jose.SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode("k".repeat(32)))
      )
      expect(yield* reason(p, hmac)).toBe("algorithm")
      // Later than the token's expiry plus the skew, by the caller's clock.
      const later = yield* verifier.verify(p, valid, DateTime.unsafeMake(NOW + 361_000)).pipe(Effect.flip)
      expect(later.reason).toBe("expired")
    }).pipe(Effect.provide(IdTokenVerifierLive)))

  it.scoped("fetches remote keys once per URI, not again for every unknown kid; an unreachable set is keys_unavailable", () =>
    Effect.gen(function* () {
      const first = yield* generateSigningKey("ES256")
      const second = yield* generateSigningKey("ES256")
      let published = [first]
      const server = yield* serveJwks(() => jwksOf(published))
      const p = provider({ jwks_uri: server.url })
      expect(yield* reason(p, yield* signIdToken(first, claims))).toBe("ok")
      expect(yield* reason(p, yield* signIdToken(first, claims))).toBe("ok")
      expect(server.fetches()).toBe(1)
      // An unknown kid refetches the set, but at most once per jose's cooldown (30 s): tokens with
      // made-up kids cannot make the server hammer the provider.
      published = [first, second]
      expect(yield* reason(p, yield* signIdToken(second, claims))).toBe("unknown_key")
      expect(yield* reason(p, yield* signIdToken(second, claims))).toBe("unknown_key")
      expect(server.fetches()).toBe(1)

      const closed = provider({ id: "gone", jwks_uri: "http://127.0.0.1:9/jwks" })
      expect(yield* reason(closed, yield* signIdToken(first, claims))).toBe("keys_unavailable")
    }).pipe(Effect.provide(IdTokenVerifierLive)))

  it.effect("google tokens may name the issuer with or without its scheme", () =>
    Effect.gen(function* () {
      const key = yield* generateSigningKey("RS256")
      const google = provider({ type: "google", issuer: "https://accounts.google.com", jwks: jwksOf([key]) as IdentityProvider["jwks"] })
      expect(yield* reason(google, yield* signIdToken(key, { ...claims, iss: "accounts.google.com" }))).toBe("ok")
      expect(yield* reason(google, yield* signIdToken(key, { ...claims, iss: "https://accounts.google.com" }))).toBe("ok")
      const oidc = provider({ jwks: jwksOf([key]) as IdentityProvider["jwks"] })
      expect(yield* reason(oidc, yield* signIdToken(key, { ...claims, iss: "idp.example" }))).toBe("issuer")
    }).pipe(Effect.provide(IdTokenVerifierLive)))
})
