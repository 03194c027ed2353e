import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Federation } from "@provisio/core/federation/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"

export const FederatedHandlers = HttpApiBuilder.group(ProvisioApi, "federated", (handlers) =>
  Effect.map(Federation, (federation) =>
    handlers.handle("federatedSignIn", ({ payload }) => federation.signIn(payload))
  ))
