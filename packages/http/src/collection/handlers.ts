import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { DunningPolicies } from "@provisio/core/collection/policies"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"

export const CollectionHandlers = HttpApiBuilder.group(ProvisioApi, "collection", (handlers) =>
  Effect.map(DunningPolicies, (policies) =>
    handlers
      .handle("getDunningPolicy", () => asCaller(policies.getPolicy))
      .handle("updateDunningPolicy", ({ payload }) => asCaller((p) => policies.updatePolicy(p, payload)))
  ))
