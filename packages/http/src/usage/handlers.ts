import { HttpApiBuilder } from "@effect/platform"
import { UsageService } from "@provisio/core/usage/service"
import { Effect } from "effect"
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
