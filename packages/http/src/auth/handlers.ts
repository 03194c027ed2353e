import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Auth } from "@provisio/core/auth/service"
import * as Effect from "effect/Effect"
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
