import { DeliverySigner } from "@provisio/core/deliveries/ports"
import * as Layer from "effect/Layer"
import { signedRequest } from "./signer.js"

/** The delivery engine's signer: Standard Webhooks headers (signer.ts). */
export const DeliverySignerLive = Layer.succeed(DeliverySigner, DeliverySigner.of({ sign: signedRequest }))
