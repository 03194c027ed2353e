import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Provisioning } from "@provisio/core/provisioning/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"

export const ProvisioningHandlers = HttpApiBuilder.group(ProvisioApi, "provisioning", (handlers) =>
  Effect.map(Provisioning, (provisioning) =>
    handlers
      .handle("getProductProvisioning", ({ path }) => asCaller((p) => provisioning.getTarget(p, path.productId)))
      .handle("updateProductProvisioning", ({ path, payload }) =>
        asCaller((p) => provisioning.putTarget(p, path.productId, payload)))
  ))
