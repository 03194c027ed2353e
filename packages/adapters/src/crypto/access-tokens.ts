import { AccessTokens } from "@provisio/core/auth/ports"
import { Role } from "@provisio/core/identity/model"
import { Unauthorized } from "@provisio/core/shared/errors"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { errors, jwtVerify, SignJWT } from "jose"
import * as crypto from "node:crypto"
import { now } from "@provisio/core/shared/time"
import { storedSigningKey } from "../postgres/auth.js"

const ALGORITHM = "HS256"
const ISSUER = "provisio"
const AUDIENCE = "provisio-api"
export const MIN_JWT_SECRET_LENGTH = 32

export const AccessTokenConfig = Config.all({
  /** The HMAC key; without it, a key made on first start is kept in the database. */
  secret: Config.option(Config.redacted("PROVISIO_JWT_SECRET")),
  /** How long an access token lasts, e.g. "15 minutes". */
  ttl: Config.duration("PROVISIO_ACCESS_TOKEN_TTL").pipe(Config.withDefault(Duration.minutes(15)))
})

const Claims = Schema.Struct({
  sub: Schema.String,
  account_id: Schema.String,
  role: Role
})
const decodeClaims = Schema.decodeUnknownEither(Claims)

const invalid = new Unauthorized({ message: "the access token is not valid" })

/** HS256 JWTs signed with `key`: sub (the user), account_id, role, iat, exp, jti; time from `Clock`. */
export const makeAccessTokens = (key: Uint8Array, ttl: Duration.Duration) =>
  AccessTokens.of({
    issue: (claims) =>
      Effect.gen(function* () {
        const nowMillis = yield* Clock.currentTimeMillis
        const issuedAt = Math.floor(nowMillis / 1000)
        const expiresAt = issuedAt + Math.max(1, Math.floor(Duration.toSeconds(ttl)))
        const token = yield* Effect.promise(() =>
          new SignJWT({ account_id: claims.account_id, role: claims.role })
            .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
            .setSubject(claims.user_id)
            .setIssuer(ISSUER)
            .setAudience(AUDIENCE)
            .setIssuedAt(issuedAt)
            .setExpirationTime(expiresAt)
            .setJti(crypto.randomUUID())
            .sign(key)
        )
        return { token, expires_at: DateTime.unsafeMake(expiresAt * 1000) }
      }),
    verify: (token) =>
      Effect.gen(function* () {
        // jose checks `exp` against `currentDate`: our Clock, not Date.now().
        const nowMillis = yield* Clock.currentTimeMillis
        const verified = yield* Effect.tryPromise({
          try: () =>
            jwtVerify(token, key, {
              algorithms: [ALGORITHM],
              issuer: ISSUER,
              audience: AUDIENCE,
              currentDate: new Date(nowMillis),
              requiredClaims: ["sub", "exp", "iat"]
            }),
          catch: (error) =>
            error instanceof errors.JWTExpired ? new Unauthorized({ message: "the access token has expired" }) : invalid
        })
        return yield* Either.match(decodeClaims(verified.payload), {
          onLeft: () => Effect.fail(invalid),
          onRight: (claims) => Effect.succeed({ user_id: claims.sub, account_id: claims.account_id, role: claims.role })
        })
      })
  })

/**
 * The access-token signer: keyed by `PROVISIO_JWT_SECRET` when set (at least 32 characters),
 * else by a key made on first start and kept in the database, so tokens survive restarts and
 * every process sharing the database accepts them.
 */
export const AccessTokensLive = Layer.effect(
  AccessTokens,
  Effect.gen(function* () {
    const config = yield* AccessTokenConfig
    const key = yield* Option.match(config.secret, {
      onSome: (secret) =>
        Redacted.value(secret).length < MIN_JWT_SECRET_LENGTH
          ? Effect.fail(ConfigError.InvalidData(["PROVISIO_JWT_SECRET"], `must be at least ${MIN_JWT_SECRET_LENGTH} characters`))
          : Effect.succeed(new TextEncoder().encode(Redacted.value(secret))),
      onNone: () =>
        Effect.flatMap(now, (at) => storedSigningKey("access_tokens", at))
    })
    return makeAccessTokens(key, config.ttl)
  })
)
