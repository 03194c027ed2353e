import { HttpApiMiddleware, HttpApiSecurity, OpenApi } from "@effect/platform"
import type { Principal } from "@provisio/core/identity/model"
import { Identity } from "@provisio/core/identity/service"
import { Unauthorized } from "@provisio/core/shared/errors"
import { Context, Effect, Layer, Redacted } from "effect"
import { UnauthorizedError } from "../errors"

/** The caller of the request being served, for handlers to pass to the core's use cases. */
export class CurrentPrincipal extends Context.Tag("@provisio/http/CurrentPrincipal")<CurrentPrincipal, Principal>() {}

export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@provisio/http/Authentication", {
  failure: UnauthorizedError,
  provides: CurrentPrincipal,
  security: {
    bearer: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "An API key (`pvo_...`) or an access token from `/auth/*`.")
    )
  }
}) {}

export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.map(Identity, (identity) =>
    Authentication.of({
      bearer: (token) => {
        const secret = Redacted.value(token)
        if (secret.length === 0) {
          return Effect.fail(new Unauthorized({ message: "send the header Authorization: Bearer <token>" }))
        }
        // A failing database is our fault, not the caller's: it surfaces as a 500, not a 401.
        return identity.authenticate(secret).pipe(Effect.catchTag("PersistenceError", Effect.die))
      }
    })
  )
)

/** Runs a use case as the authenticated caller. */
export const asCaller = <A, E, R>(useCase: (principal: Principal) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(CurrentPrincipal, useCase)
