import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type { Principal, Role } from "@provisio/core/identity/model"
import { RateLimited } from "@provisio/core/shared/errors"
import { parseRateLimit, type RateLimit, RateLimiter } from "@provisio/core/shared/rate-limit"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as crypto from "node:crypto"
import { Authentication, AuthenticationLive } from "./authentication.js"
import { now } from "@provisio/core/shared/time"

/** Per role, as `<requests>/<unit>` ("600/minute": a bucket of 600 refilled over a minute) or "off". */
const roleLimit = (role: Role, fallback: string) =>
  Config.string(`PROVISIO_RATE_LIMIT_${role.toUpperCase()}`).pipe(
    Config.withDefault(fallback),
    Config.mapOrFail((text) =>
      Either.mapLeft(parseRateLimit(text), (message) =>
        ConfigError.InvalidData([`PROVISIO_RATE_LIMIT_${role.toUpperCase()}`], message)))
  )

export const RateLimitConfig = Config.all({
  admin: roleLimit("admin", "1200/minute"),
  manager: roleLimit("manager", "600/minute"),
  viewer: roleLimit("viewer", "300/minute")
})

/**
 * The bucket of a credential: the API key or the user (every access token of one user shares
 * it, so signing in again does not buy a new budget). `X-Tenant-ID` does not change it.
 */
const bucketKey = (principal: Principal, credential: unknown): string => {
  if (principal.api_key_id !== undefined) return `key:${principal.api_key_id}`
  if (principal.user_id !== undefined) return `user:${principal.user_id}`
  const secret = Redacted.isRedacted(credential) ? String(Redacted.value(credential)) : JSON.stringify(credential)
  return `credential:${crypto.createHash("sha256").update(secret, "utf8").digest("hex")}`
}

const retryAfterHeader = (seconds: number) =>
  HttpApp.appendPreResponseHandler((_, response) =>
    Effect.succeed(HttpServerResponse.setHeader(response, "retry-after", String(seconds))))

type AuthenticationService = Context.Tag.Service<Authentication>

/**
 * The caller's token bucket, as a function of its principal and credential: fails with
 * `RateLimited` (and sets `Retry-After`) past its role's limit. The rate-limit middleware and the
 * direct reads (direct-reads.ts) both take their token through it.
 */
export const rateLimitEnforcement = Effect.gen(function* () {
  const limiter = yield* RateLimiter
  const limits: Record<Role, RateLimit | undefined> = yield* RateLimitConfig
  return (principal: Principal, credential: unknown) =>
    Effect.gen(function* () {
      const limit = limits[principal.role]
      if (limit === undefined) return
      const at = yield* now
      const taken = yield* limiter.take(bucketKey(principal, credential), limit, at).pipe(
        // The limiter protects the service; a failing one must not take it down: let the request through.
        Effect.catchTag("PersistenceError", (error) =>
          Effect.as(Effect.logWarning("rate limiter unavailable, request let through", error.message), undefined))
      )
      if (taken === undefined || taken._tag === "Allowed") return
      const seconds = taken.retryAfterSeconds
      yield* retryAfterHeader(seconds)
      return yield* new RateLimited({
        message: `too many requests: try again in ${seconds} second${seconds === 1 ? "" : "s"}`,
        retry_after: seconds
      })
    })
})

/**
 * The authentication middleware with a token bucket per credential behind it: a caller past its
 * role's limit gets `429 rate_limited` with `Retry-After`. Unauthenticated requests never get here.
 * The buckets live in the database, so the limit holds across processes sharing it.
 */
export const withRateLimit = (authentication: AuthenticationService) =>
  Effect.gen(function* () {
    const enforce = yield* rateLimitEnforcement

    // Every security scheme the middleware has (bearer today), each followed by the limit.
    const decorated: Record<string, (credential: any) => Effect.Effect<Principal, any, any>> = {}
    for (const [name, handler] of Object.entries(authentication)) {
      if (typeof handler !== "function") continue
      decorated[name] = (credential) =>
        Effect.tap(
          (handler as (credential: unknown) => Effect.Effect<Principal, any, any>)(credential),
          (principal) => enforce(principal, credential)
        )
    }
    return { ...authentication, ...decorated } as AuthenticationService
  })

/** `AuthenticationLive` with the rate limit: what the server provides for `Authentication`. */
export const RateLimitedAuthenticationLive = Layer.effect(
  Authentication,
  Effect.flatMap(Authentication, withRateLimit)
).pipe(Layer.provide(AuthenticationLive))
