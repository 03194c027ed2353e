import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Logout } from "@provisio/core/auth/model"
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
      .handle("logout", ({ payload }) =>
        // No body, or no refresh token: the user of the bearer access token signs out of every session.
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
          const header = request.headers["authorization"]
          const bearer = header !== undefined && /^bearer /i.test(header) ? header.slice(7).trim() : undefined
          return auth.logout(payload ?? new Logout({}), bearer)
        }))
  ))
