import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Identity } from "@provisio/core/identity/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller, CurrentPrincipal } from "../middleware/authentication.js"
import { listAsCaller, searchOf } from "../pagination.js"

export const IdentityHandlers = HttpApiBuilder.group(ProvisioApi, "identity", (handlers) =>
  Effect.map(Identity, (identity) =>
    handlers
      .handle("me", () => Effect.map(CurrentPrincipal, identity.me))
      .handle("listDistributors", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) => identity.listDistributors(p, page, searchOf(urlParams))))
      .handle("createDistributor", ({ payload }) => asCaller((p) => identity.createDistributor(p, payload)))
      .handle("getDistributor", ({ path }) => asCaller((p) => identity.getDistributor(p, path.id)))
      .handle("updateDistributor", ({ path, payload }) => asCaller((p) => identity.updateDistributor(p, path.id, payload)))
      .handle("deleteDistributor", ({ path }) => asCaller((p) => identity.deleteDistributor(p, path.id)))
      .handle("listPartners", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) => identity.listPartners(p, page, searchOf(urlParams))))
      .handle("createPartner", ({ payload }) => asCaller((p) => identity.createPartner(p, payload)))
      .handle("getPartner", ({ path }) => asCaller((p) => identity.getPartner(p, path.id)))
      .handle("updatePartner", ({ path, payload }) => asCaller((p) => identity.updatePartner(p, path.id, payload)))
      .handle("deletePartner", ({ path }) => asCaller((p) => identity.deletePartner(p, path.id)))
      .handle("listApiKeys", ({ urlParams }) => listAsCaller(urlParams, identity.listApiKeys))
      .handle("createApiKey", ({ payload }) => asCaller((p) => identity.createApiKey(p, payload)))
      .handle("deleteApiKey", ({ path }) => asCaller((p) => identity.deleteApiKey(p, path.id)))
  ))
