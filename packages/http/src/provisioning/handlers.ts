import { HttpApiBuilder } from "@effect/platform"
import { Provisioning } from "@provisio/core/provisioning/service"
import { Effect } from "effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"

export const ProvisioningHandlers = HttpApiBuilder.group(ProvisioApi, "provisioning", (handlers) =>
  Effect.map(Provisioning, (provisioning) =>
    handlers
      .handle("getProductProvisioning", ({ path }) => asCaller((p) => provisioning.getTarget(p, path.productId)))
      .handle("updateProductProvisioning", ({ path, payload }) =>
        asCaller((p) => provisioning.putTarget(p, path.productId, payload)))
  ))
