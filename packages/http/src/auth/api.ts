import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { Login, Logout, Refresh, TokenPair } from "@provisio/core/auth/model"
import * as Schema from "effect/Schema"
import { Envelope } from "../envelope.js"
import { RateLimitedError } from "../errors.js"

/** Sign-in with a password, and the session's refresh and end; these take no bearer token. */
export class AuthApi extends HttpApiGroup.make("auth")
  .add(
    HttpApiEndpoint.post("login", "/auth/login")
      .setPayload(Login)
      .addSuccess(Envelope(TokenPair))
      .addError(RateLimitedError)
      .annotate(OpenApi.Summary, "Sign in with email and password")
      .annotate(
        OpenApi.Description,
        "Answers an access token (a JWT for `Authorization: Bearer`, 15 minutes unless configured) and a " +
          "refresh token (30 days, good for one exchange at `/auth/refresh`). A wrong password and an " +
          "unknown email answer the same `401`. After 5 failed attempts for one email within 15 minutes, " +
          "attempts for it answer `429 rate_limited` with `Retry-After` until the window passes."
      )
  )
  .add(
    HttpApiEndpoint.post("refresh", "/auth/refresh")
      .setPayload(Refresh)
      .addSuccess(Envelope(TokenPair))
      .annotate(OpenApi.Summary, "Exchange a refresh token for a new pair")
      .annotate(
        OpenApi.Description,
        "The refresh token is used up and a new one of the same session is returned. A used refresh token " +
          "presented again ends the whole session (every refresh token of it) and answers `401`."
      )
  )
  .add(
    HttpApiEndpoint.post("logout", "/auth/logout")
      .setPayload(Schema.NullOr(Logout))
      .addSuccess(HttpApiSchema.NoContent)
      .annotate(OpenApi.Summary, "End the session of a refresh token, or every session of the bearer's user")
      .annotate(
        OpenApi.Description,
        "With `refresh_token`, every refresh token of that session stops working. Without a body (or without " +
          "`refresh_token`), the user of the access token sent as `Authorization: Bearer` is signed out of every " +
          "session. Access tokens already issued run to their expiry."
      )
  )
  .prefix("/api/v1")
  .annotate(OpenApi.Title, "Authentication")
  .annotate(OpenApi.Description, "Sign-in and the tokens it gives.")
{}
