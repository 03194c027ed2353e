import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { PriceLists } from "@provisio/core/pricing/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const PricingHandlers = HttpApiBuilder.group(ProvisioApi, "pricing", (handlers) =>
  Effect.map(PriceLists, (lists) =>
    handlers
      .handle("listPriceLists", ({ urlParams }) => listAsCaller(urlParams, (p, page) => lists.listPriceLists(p, page)))
      .handle("createPriceList", ({ payload }) => asCaller((p) => lists.createList(p, payload)))
      .handle("getPriceList", ({ path }) => asCaller((p) => lists.getPriceList(p, path.priceListId)))
      .handle("updatePriceList", ({ path, payload }) => asCaller((p) => lists.updateList(p, path.priceListId, payload)))
      .handle("deletePriceList", ({ path }) => asCaller((p) => lists.deleteList(p, path.priceListId)))
      .handle("assignPriceList", ({ path, payload }) => asCaller((p) => lists.assignList(p, path.priceListId, payload)))
      .handle("getPlanPrice", ({ path, urlParams }) => asCaller((p) => lists.priceOf(p, path.planId, urlParams)))
  ))
