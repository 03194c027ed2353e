import * as Schema from "effect/Schema"
import { Role } from "../identity/model.js"
import { Timestamp } from "../shared/time.js"

/** A credential on input: redacted once decoded; its messages never quote the value. */
const secretInput = (what: string, max: number) =>
  Schema.Redacted(
    Schema.String.pipe(Schema.minLength(1), Schema.maxLength(max)).annotations({
      message: () => ({ message: `must be ${what}`, override: true })
    })
  )

export class Login extends Schema.Class<Login>("Login")({
  email: Schema.String.pipe(Schema.maxLength(254)).annotations({
    message: () => ({ message: "must be an email address", override: true })
  }),
  password: secretInput("the user's password", 1024)
}) {}

export class Refresh extends Schema.Class<Refresh>("Refresh")({
  refresh_token: secretInput("a refresh token from /auth/login or /auth/refresh", 1024)
}) {}

/** Without a refresh token, the user of the bearer access token signs out of every session. */
export class Logout extends Schema.Class<Logout>("Logout")({
  refresh_token: Schema.optional(secretInput("a refresh token from /auth/login or /auth/refresh", 1024))
}) {}

/**
 * The answer to a sign-in or a refresh: a short-lived access token (a JWT, sent as
 * `Authorization: Bearer`) and a refresh token that exchanges once for a new pair.
 */
export class TokenPair extends Schema.Class<TokenPair>("TokenPair")({
  access_token: Schema.String,
  refresh_token: Schema.String,
  token_type: Schema.Literal("Bearer"),
  /** When the access token expires; refresh before then. */
  expires_at: Timestamp
}) {}

/** What an access token says about its user. */
export interface AccessClaims {
  readonly user_id: string
  readonly account_id: string
  readonly role: Role
}

/**
 * A refresh token as stored: only its hash is kept (by the repository). Rotation marks it used
 * and issues the next one in the same family; a used token presented again revokes the family.
 */
export class RefreshToken extends Schema.Class<RefreshToken>("RefreshToken")({
  id: Schema.String,
  family_id: Schema.String,
  user_id: Schema.String,
  expires_at: Timestamp,
  used_at: Schema.NullOr(Timestamp),
  revoked_at: Schema.NullOr(Timestamp),
  created_at: Timestamp
}) {}
