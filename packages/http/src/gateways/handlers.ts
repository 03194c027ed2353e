import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { GatewayWebhooks } from "@provisio/core/collection/gateways-webhooks"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { BadRequest } from "../errors.js"

export const GatewaysHandlers = HttpApiBuilder.group(ProvisioApi, "gateways", (handlers) =>
  Effect.map(GatewayWebhooks, (webhooks) =>
    handlers.handle("receiveStripeWebhook", ({ headers }) =>
      Effect.gen(function* () {
        // The signature covers the body as sent: its text, not the JSON decoded from it.
        const request = yield* HttpServerRequest.HttpServerRequest
        const body = yield* Effect.mapError(request.text, () => new BadRequest({ message: "the request body could not be read" }))
        const outcome = yield* webhooks.receive("stripe", body, headers["stripe-signature"]).pipe(
          Effect.catchTag("WebhookRejected", (rejected) => Effect.fail(new BadRequest({ message: rejected.message, field: rejected.field })))
        )
        return { received: true as const, outcome }
      }))
  ))
