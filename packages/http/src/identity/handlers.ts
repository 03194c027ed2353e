import { HttpApiBuilder } from "@effect/platform"
import { Identity } from "@provisio/core/identity/service"
import { Effect } from "effect"
import { ProvisioApi } from "../api"
import { CurrentPrincipal } from "../middleware/authentication"
import { toPageRequest } from "../pagination"

export const IdentityHandlers = HttpApiBuilder.group(ProvisioApi, "identity", (handlers) =>
  Effect.gen(function* () {
    const identity = yield* Identity
    return handlers
      .handle("me", () => Effect.map(CurrentPrincipal, identity.me))
      .handle("listDistributors", ({ urlParams }) =>
        Effect.gen(function* () {
          return yield* identity.listDistributors(yield* CurrentPrincipal, yield* toPageRequest(urlParams))
        }))
      .handle("createDistributor", ({ payload }) =>
        Effect.flatMap(CurrentPrincipal, (principal) => identity.createDistributor(principal, payload)))
      .handle("getDistributor", ({ path }) =>
        Effect.flatMap(CurrentPrincipal, (principal) => identity.getDistributor(principal, path.id)))
      .handle("updateDistributor", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (principal) => identity.updateDistributor(principal, path.id, payload)))
      .handle("deleteDistributor", ({ path }) =>
        Effect.flatMap(CurrentPrincipal, (principal) => identity.deleteDistributor(principal, path.id)))
      .handle("listPartners", ({ urlParams }) =>
        Effect.gen(function* () {
          return yield* identity.listPartners(yield* CurrentPrincipal, yield* toPageRequest(urlParams))
        }))
      .handle("createPartner", ({ payload }) =>
        Effect.flatMap(CurrentPrincipal, (principal) => identity.createPartner(principal, payload)))
      .handle("getPartner", ({ path }) =>
        Effect.flatMap(CurrentPrincipal, (principal) => identity.getPartner(principal, path.id)))
      .handle("updatePartner", ({ path, payload }) =>
        Effect.flatMap(CurrentPrincipal, (principal) => identity.updatePartner(principal, path.id, payload)))
      .handle("deletePartner", ({ path }) =>
        Effect.flatMap(CurrentPrincipal, (principal) => identity.deletePartner(principal, path.id)))
      .handle("listApiKeys", ({ urlParams }) =>
        Effect.gen(function* () {
          return yield* identity.listApiKeys(yield* CurrentPrincipal, yield* toPageRequest(urlParams))
        }))
      .handle("createApiKey", ({ payload }) =>
        Effect.flatMap(CurrentPrincipal, (principal) => identity.createApiKey(principal, payload)))
      .handle("deleteApiKey", ({ path }) =>
        Effect.flatMap(CurrentPrincipal, (principal) => identity.deleteApiKey(principal, path.id)))
  }))
