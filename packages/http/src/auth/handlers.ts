import { HttpApiBuilder, HttpApp, HttpServerResponse } from "@effect/platform"
import { Auth } from "@provisio/core/auth/service"
import { Effect } from "effect"
import { ProvisioApi } from "../api.js"

export const AuthHandlers = HttpApiBuilder.group(ProvisioApi, "auth", (handlers) =>
  Effect.map(Auth, (auth) =>
    handlers
      .handle("login", ({ payload }) =>
        auth.login(payload).pipe(
          // A throttled sign-in tells when to try again, in the header as well as the message.
          Effect.tapErrorTag("RateLimited", (error) =>
            error.retry_after === undefined
              ? Effect.void
              : HttpApp.appendPreResponseHandler((_, response) =>
                  Effect.succeed(HttpServerResponse.setHeader(response, "retry-after", String(error.retry_after)))
                ))
        ))
      .handle("refresh", ({ payload }) => auth.refresh(payload))
      .handle("logout", ({ payload }) => auth.logout(payload))
  ))
