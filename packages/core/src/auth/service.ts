import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Principal } from "../identity/model.js"
import { requireNotSuspended } from "../identity/policy.js"
import { ApiKeyRepo, Secrets } from "../identity/ports.js"
import { RateLimited, Unauthorized, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { Transactor } from "../shared/transactor.js"
import type { User } from "../users/model.js"
import { PasswordHasher, UserRepo } from "../users/ports.js"
import { type Login, type Logout, type Refresh, RefreshToken, TokenPair } from "./model.js"
import { AccessTokens, LoginFailureRepo, RefreshTokenRepo } from "./ports.js"
import { now } from "../shared/time.js"

export const REFRESH_TOKEN_PREFIX = "pvr"
export const REFRESH_TOKEN_TTL = Duration.days(30)

/** After this many failed sign-ins for one email within the window, attempts are refused until it passes. */
export const MAX_LOGIN_FAILURES = 5
export const LOGIN_FAILURE_WINDOW = Duration.minutes(15)

/** The same answer for an unknown email and a wrong password, so neither tells which it was. */
const INVALID_CREDENTIALS = "the email or password is not correct"
const INVALID_REFRESH_TOKEN = "the refresh token is not valid; sign in again"

/** A JWT in compact form: three base64url parts, the first a JSON header (`{"` is `eyJ`). */
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

export const make = Effect.gen(function* () {
  const users = yield* UserRepo
  const apiKeys = yield* ApiKeyRepo
  const refreshTokens = yield* RefreshTokenRepo
  const failures = yield* LoginFailureRepo
  const hasher = yield* PasswordHasher
  const accessTokens = yield* AccessTokens
  const secrets = yield* Secrets
  const transactor = yield* Transactor

  // Verified against when the email is unknown or has no password, so those answers take as
  // long as a wrong password. Made on first use, then kept.
  const dummyHash = yield* Effect.cached(
    Effect.flatMap(secrets.generate("dummy"), (secret) => hasher.hash(Redacted.make(secret)))
  )

  /**
   * A new access token and refresh token for a user whose sign-in was proven (a password here,
   * a federated identity elsewhere). The refresh token starts a family unless it continues one.
   */
  const issueTokens = Effect.fn("Auth.issueTokens")(function* (user: User, familyId?: string) {
    // Every way to tokens (a password, a refresh, a federated identity) comes through here: a
    // user whose account, or one above it, is suspended gets none. Refused inside a refresh's
    // transaction, the refresh token stays unused and works again once the account is resumed.
    const scoped = yield* users.findById(user.id)
    if (Option.isSome(scoped)) yield* requireNotSuspended(scoped.value.scope)
    const at = yield* now
    const secret = yield* secrets.generate(REFRESH_TOKEN_PREFIX)
    yield* refreshTokens.insert(
      new RefreshToken({
        id: yield* makeId("rtk"),
        family_id: familyId ?? (yield* makeId("rtf")),
        user_id: user.id,
        expires_at: DateTime.addDuration(at, REFRESH_TOKEN_TTL),
        used_at: null,
        revoked_at: null,
        created_at: at
      }),
      yield* secrets.hash(secret)
    )
    const access = yield* accessTokens.issue({ user_id: user.id, account_id: user.account_id, role: user.role })
    return new TokenPair({
      access_token: access.token,
      refresh_token: secret,
      token_type: "Bearer",
      expires_at: access.expires_at
    })
  })

  const login = Effect.fn("Auth.login")(function* (input: Login) {
    const email = input.email.trim().normalize("NFC").toLowerCase()
    const at = yield* now
    const recent = yield* failures.since(email, DateTime.subtractDuration(at, LOGIN_FAILURE_WINDOW))
    if (recent.length >= MAX_LOGIN_FAILURES) {
      // Attempts resume when the oldest of the last MAX failures leaves the window.
      const resumeAt = DateTime.addDuration(recent[MAX_LOGIN_FAILURES - 1]!, LOGIN_FAILURE_WINDOW)
      const seconds = Math.max(1, Math.ceil((DateTime.toEpochMillis(resumeAt) - DateTime.toEpochMillis(at)) / 1000))
      return yield* new RateLimited({
        message: `too many failed sign-ins for this email; try again in ${seconds} seconds`,
        retry_after: seconds
      })
    }
    const stored = Option.filter(yield* users.findByEmail(email), (s) => s.password_hash !== null)
    const matches = yield* hasher.verify(
      input.password,
      Option.isSome(stored) ? stored.value.password_hash! : yield* dummyHash
    )
    if (!matches || Option.isNone(stored)) {
      yield* failures.record(email, at, DateTime.subtractDuration(at, LOGIN_FAILURE_WINDOW))
      return yield* new Unauthorized({ message: INVALID_CREDENTIALS })
    }
    const user = stored.value.user
    // Only a caller who knows the password learns that the user is disabled.
    if (user.status !== "active") {
      return yield* new Unauthorized({ message: "this user is disabled; an admin of its account can enable it" })
    }
    yield* failures.clear(email)
    return yield* issueTokens(user)
  })

  /**
   * Exchanges a refresh token for a new pair in the same family; the token is then used up. A
   * used token presented again means it leaked: the whole family is revoked, so neither the
   * thief nor the user can go on with it.
   */
  const refresh = Effect.fn("Auth.refresh")(function* (input: Refresh) {
    const hash = yield* secrets.hash(Redacted.value(input.refresh_token))
    // The transaction answers the failure instead of failing, so a revocation commits.
    const outcome = yield* transactor.withTransaction(Effect.gen(function* () {
      const at = yield* now
      const found = yield* refreshTokens.findByHash(hash)
      if (Option.isNone(found)) return Either.left(new Unauthorized({ message: INVALID_REFRESH_TOKEN }))
      const token = found.value
      if (token.revoked_at !== null) return Either.left(new Unauthorized({ message: INVALID_REFRESH_TOKEN }))
      if (token.used_at !== null) {
        yield* refreshTokens.revokeFamily(token.family_id, at)
        return Either.left(new Unauthorized({
          message: "the refresh token was already used; every session it started has ended, sign in again"
        }))
      }
      if (DateTime.lessThanOrEqualTo(token.expires_at, at)) {
        return Either.left(new Unauthorized({ message: "the refresh token has expired; sign in again" }))
      }
      const owner = yield* users.findById(token.user_id)
      if (Option.isNone(owner) || owner.value.user.status !== "active") {
        yield* refreshTokens.revokeFamily(token.family_id, at)
        return Either.left(new Unauthorized({ message: "the user is disabled or no longer exists" }))
      }
      yield* refreshTokens.markUsed(token.id, at)
      return Either.right(yield* issueTokens(owner.value.user, token.family_id))
    }))
    return yield* outcome
  })

  /**
   * Ends the session the refresh token belongs to: its whole family. Without one, a user's access
   * token (the bearer) ends every session of that user; an API key has none to end.
   */
  const logout = Effect.fn("Auth.logout")(function* (input: Logout, bearer?: string) {
    if (input.refresh_token === undefined) {
      if (bearer === undefined || !JWT_SHAPE.test(bearer)) {
        return yield* ValidationError.of(
          "refresh_token",
          "is missing: send the refresh token of the session to end, or sign out with the user's access token as Authorization: Bearer"
        )
      }
      const principal = yield* authenticateAccessToken(bearer)
      if (principal.user_id !== undefined && principal.user_id !== null) yield* refreshTokens.revokeUser(principal.user_id, yield* now)
      return
    }
    const found = yield* refreshTokens.findByHash(yield* secrets.hash(Redacted.value(input.refresh_token)))
    if (Option.isNone(found)) return yield* new Unauthorized({ message: INVALID_REFRESH_TOKEN })
    yield* refreshTokens.revokeFamily(found.value.family_id, yield* now)
  })

  // Untraced: it runs on every request, and a span per call is work without a tracer to read it.
  const authenticateApiKey = Effect.fnUntraced(function* (secret: string) {
    const found = yield* apiKeys.authenticate(yield* secrets.hash(secret), yield* now)
    if (Option.isNone(found)) return yield* new Unauthorized({ message: "the API key is not valid" })
    const { principal, suspended_by } = found.value
    yield* requireNotSuspended({ id: principal.account_id, suspended_by })
    return principal
  })

  /**
   * An access token's user, acting with its current role where its account sits now: a user
   * disabled, deleted or given another role is taken at its word at once, not at token expiry.
   */
  const authenticateAccessToken = Effect.fn("Auth.authenticateAccessToken")(function* (token: string) {
    const claims = yield* accessTokens.verify(token)
    const found = yield* users.findById(claims.user_id)
    if (Option.isNone(found) || found.value.user.status !== "active") {
      return yield* new Unauthorized({ message: "the access token's user is disabled or no longer exists" })
    }
    const { scope, user } = found.value
    yield* requireNotSuspended(scope)
    // Fields the repository has just decoded: not validated again (a class's constructor
    // validating costs ~150 us, on every request with an access token).
    return new Principal({
      account_id: scope.id,
      account_kind: scope.kind,
      role: user.role,
      lineage: scope.lineage,
      edition: scope.edition,
      user_id: user.id
    }, true)
  })

  /** A bearer token: an access token from `/auth/*` (a JWT) or an API key. */
  const authenticate = (token: string) =>
    JWT_SHAPE.test(token) ? authenticateAccessToken(token) : authenticateApiKey(token)

  return { login, refresh, logout, issueTokens, authenticate } as const
})

export class Auth extends Context.Tag("@provisio/core/Auth")<Auth, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Auth, make)
}
