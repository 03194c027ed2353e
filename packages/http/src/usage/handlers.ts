import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { UsageService } from "@provisio/core/usage/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"

export const UsageHandlers = HttpApiBuilder.group(ProvisioApi, "usage", (handlers) =>
  Effect.map(UsageService, (usage) =>
    handlers
      .handle("ingestUsage", ({ payload }) => asCaller((p) => usage.ingest(p, payload.records)))
      .handle("getUsage", ({ urlParams }) =>
        asCaller((p) =>
          usage.summary(p, {
            subscription_id: urlParams.subscription_id,
            from: urlParams.from,
            to: urlParams.to,
            group_by: urlParams.group_by ?? "sku"
          })))
  ))
