import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { ProvisioningTarget, UpdateProvisioningTarget } from "@provisio/core/provisioning/model"
import * as Schema from "effect/Schema"
import { Envelope } from "../envelope.js"
import { Authentication } from "../middleware/authentication.js"
import { PathParam } from "../path-params.js"
import { ProductId } from "@provisio/core/catalog/model"

const ProductPath = Schema.Struct({ productId: PathParam(ProductId) })

export class ProvisioningApi extends HttpApiGroup.make("provisioning")
  .add(
    HttpApiEndpoint.get("getProductProvisioning", "/products/:productId/provisioning")
      .setPath(ProductPath)
      .addSuccess(Envelope(ProvisioningTarget))
      .annotate(
        OpenApi.Description,
        "The product's push target (docs/push.md): where calls go, which endpoints the provider implements, the " +
          "time-out, and the secret's prefix (never the secret). Admins of the platform, distributors and partners " +
          "read it (others: 403); 404 when the product has none yet."
      )
  )
  .add(
    HttpApiEndpoint.put("updateProductProvisioning", "/products/:productId/provisioning")
      .setPath(ProductPath)
      .setPayload(UpdateProvisioningTarget)
      .addSuccess(Envelope(ProvisioningTarget))
      .annotate(
        OpenApi.Description,
        "Platform admins only. Sets up the target (the first PUT needs `base_url`: https, or http on localhost / " +
          "127.0.0.1) or changes it: absent fields keep their value. `endpoints` defaults to `[\"subscriptions\"]`, " +
          "`timeout_ms` to 10000 (100..60000). Without `secret` the first PUT generates one, shown in that answer " +
          "only. `rotate_secret: true` makes a new secret (or takes `secret`) while the old one keeps signing for " +
          "the rotation overlap (`PROVISIO_SECRET_ROTATION_OVERLAP`, 24 hours by default): both signatures go in " +
          "`webhook-signature` until `secret_rotation.previous_secret_expires_at`. `secret` alone replaces the " +
          "secret at once."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
