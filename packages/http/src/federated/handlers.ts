import { HttpApiBuilder } from "@effect/platform"
import { Federation } from "@provisio/core/federation/service"
import { Effect } from "effect"
import { ProvisioApi } from "../api.js"

export const FederatedHandlers = HttpApiBuilder.group(ProvisioApi, "federated", (handlers) =>
  Effect.map(Federation, (federation) =>
    handlers.handle("federatedSignIn", ({ payload }) => federation.signIn(payload))
  ))
