import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { CreateWebhook, UpdateWebhook, Webhook, WebhookId } from "@provisio/core/webhooks/model"
import * as Schema from "effect/Schema"
import { Envelope, PageEnvelope } from "../envelope.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"

const WebhookPath = Schema.Struct({ id: PathParam(WebhookId) })

const PATTERNS =
  "`events` lists event types (`order.completed`), prefixes ending in `.*` (`subscription.*`) or `*` (every event). " +
  "Each must name a type Provisio sends (docs/push.md lists them): an unknown one, such as a typo, is 422 naming " +
  "`events[i]`."

export class WebhooksApi extends HttpApiGroup.make("webhooks")
  .add(
    HttpApiEndpoint.get("listWebhooks", "/webhooks")
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(Webhook))
      .annotate(OpenApi.Description, "The webhooks of the caller's account and of the accounts below it.")
  )
  .add(
    HttpApiEndpoint.post("createWebhook", "/webhooks")
      .setPayload(CreateWebhook)
      .addSuccess(Envelope(Webhook), { status: 201 })
      .annotate(
        OpenApi.Description,
        "Subscribes `url` (https; http only on localhost / 127.0.0.1, and private addresses only for the platform's " +
          `own webhooks) to the events of the caller's scope. ${PATTERNS} \`timeout_ms\` defaults to 10000 ` +
          "(100..60000). Without `secret` one is generated and shown in this answer only. Calls are signed like " +
          "provisioning pushes (docs/push.md). Viewers: 403."
      )
  )
  .add(HttpApiEndpoint.get("getWebhook", "/webhooks/:id").setPath(WebhookPath).addSuccess(Envelope(Webhook)))
  .add(
    HttpApiEndpoint.put("updateWebhook", "/webhooks/:id")
      .setPath(WebhookPath)
      .setPayload(UpdateWebhook)
      .addSuccess(Envelope(Webhook))
      .annotate(
        OpenApi.Description,
        `Only the fields sent change; \`null\` clears \`description\`. ${PATTERNS} \`rotate_secret: true\` makes a ` +
          "new secret (shown in this answer only, unless `secret` is given) while the old one keeps signing for the " +
          "rotation overlap; `secret` alone replaces the secret at once."
      )
  )
  .add(HttpApiEndpoint.del("deleteWebhook", "/webhooks/:id").setPath(WebhookPath).addSuccess(HttpApiSchema.NoContent))
  .middleware(Authentication)
  .prefix("/api/v1")
{}
