import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Inventory } from "@provisio/core/inventory/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const InventoryHandlers = HttpApiBuilder.group(ProvisioApi, "inventory", (handlers) =>
  Effect.map(Inventory, (inventory) =>
    handlers
      .handle("listConnections", ({ path, urlParams }) =>
        listAsCaller(urlParams, (p, page) => inventory.listConnections(p, path.customerId, page)))
      .handle("getConnection", ({ path }) =>
        asCaller((p) => inventory.getConnection(p, path.customerId, path.connectionId)))
      .handle("listInServiceProducts", ({ path, urlParams }) =>
        listAsCaller(urlParams, (p, page) => inventory.listProducts(p, path.customerId, page)))
      .handle("getInServiceProduct", ({ path }) =>
        asCaller((p) => inventory.getProduct(p, path.customerId, path.productId)))
  ))
