import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as OpenApi from "@effect/platform/OpenApi"
import { Auth } from "@provisio/core/auth/service"
import type { Principal } from "@provisio/core/identity/model"
import { Identity } from "@provisio/core/identity/service"
import { Unauthorized } from "@provisio/core/shared/errors"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { AccountSuspendedError, NotFoundError, UnauthorizedError } from "../errors.js"
// The rate limit (middleware/rate-limit.ts) runs right after authentication, in this middleware.
import { RateLimitedError } from "../errors.js"

/** The caller of the request being served, for handlers to pass to the core's use cases. */
export class CurrentPrincipal extends Context.Tag("@provisio/http/CurrentPrincipal")<CurrentPrincipal, Principal>() {}

export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@provisio/http/Authentication", {
  failure: Schema.Union(UnauthorizedError, AccountSuspendedError, NotFoundError, RateLimitedError),
  provides: CurrentPrincipal,
  security: {
    bearer: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(
        OpenApi.Description,
        "An API key (`pvo_...`) or an access token from `/auth/*`. `X-Tenant-ID: <account or customer id>` " +
          "narrows the request to a descendant of the caller's account."
      )
    )
  }
}) {}

/**
 * The caller of a bearer token: an access token (JWT) from /auth/* or an API key, narrowed to
 * the account or customer `X-Tenant-ID` names. The `Authentication` middleware and the direct
 * reads (direct-reads.ts) both authenticate through it.
 */
export const principalOfBearer = Effect.map(Effect.all([Identity, Auth]), ([identity, auth]) =>
  (secret: string, tenant: string | undefined) => {
    if (secret.length === 0) {
      return Effect.fail(new Unauthorized({ message: "send the header Authorization: Bearer <token>" }))
    }
    return Effect.flatMap(
      auth.authenticate(secret),
      (principal) => tenant === undefined || tenant === "" ? Effect.succeed(principal) : identity.narrow(principal, tenant)
    ).pipe(
      // A failing database is our fault, not the caller's: it surfaces as a 500, not a 401.
      Effect.catchTag("PersistenceError", Effect.die)
    )
  })

export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.map(principalOfBearer, (principalOf) =>
    Authentication.of({
      bearer: (token) =>
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
          principalOf(Redacted.value(token), request.headers["x-tenant-id"]))
    })
  )
)

/** Runs a use case as the authenticated caller. */
export const asCaller = <A, E, R>(useCase: (principal: Principal) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(CurrentPrincipal, useCase)
