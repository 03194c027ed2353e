import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Webhooks } from "@provisio/core/webhooks/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const WebhooksHandlers = HttpApiBuilder.group(ProvisioApi, "webhooks", (handlers) =>
  Effect.map(Webhooks, (webhooks) =>
    handlers
      .handle("listWebhooks", ({ urlParams }) => listAsCaller(urlParams, webhooks.listWebhooks))
      .handle("createWebhook", ({ payload }) => asCaller((p) => webhooks.createWebhook(p, payload)))
      .handle("getWebhook", ({ path }) => asCaller((p) => webhooks.getWebhook(p, path.id)))
      .handle("updateWebhook", ({ path, payload }) => asCaller((p) => webhooks.updateWebhook(p, path.id, payload)))
      .handle("deleteWebhook", ({ path }) => asCaller((p) => webhooks.deleteWebhook(p, path.id)))
  ))
