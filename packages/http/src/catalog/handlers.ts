import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Catalog } from "@provisio/core/catalog/service"
import { ValidationError } from "@provisio/core/shared/errors"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

/** `?version=`: a positive integer, else 422 naming it (like `?limit=`). */
const versionParam = (version: string | undefined) =>
  version === undefined
    ? Effect.succeed(undefined)
    : /^\d{1,9}$/.test(version)
    ? Effect.succeed(Number(version))
    : Effect.fail(ValidationError.of("version", "must be a positive integer"))

export const CatalogHandlers = HttpApiBuilder.group(ProvisioApi, "catalog", (handlers) =>
  Effect.map(Catalog, (catalog) =>
    handlers
      .handle("listProducts", ({ urlParams }) => listAsCaller(urlParams, catalog.listProducts))
      .handle("createProduct", ({ payload }) => asCaller((p) => catalog.createProduct(p, payload)))
      .handle("getProduct", ({ path }) => asCaller((p) => catalog.getProduct(p, path.productId)))
      .handle("updateProduct", ({ path, payload }) =>
        asCaller((p) => catalog.updateProduct(p, path.productId, payload)))
      .handle("listCountries", ({ urlParams }) => listAsCaller(urlParams, catalog.listCountries))
      .handle("getCountry", ({ path }) => asCaller((p) => catalog.getCountry(p, path.countryCode)))
      .handle("listCities", ({ path, urlParams }) =>
        listAsCaller(urlParams, (p, page) => catalog.listCities(p, path.countryCode, page)))
      .handle("getCity", ({ path }) => asCaller((p) => catalog.getCity(p, path.countryCode, path.cityId)))
      .handle("listSkus", ({ urlParams }) => listAsCaller(urlParams, catalog.listSkus))
      .handle("createSku", ({ payload }) => asCaller((p) => catalog.createSku(p, payload)))
      .handle("getSku", ({ path }) => asCaller((p) => catalog.getSku(p, path.skuId)))
      .handle("updateSku", ({ path, payload }) => asCaller((p) => catalog.updateSku(p, path.skuId, payload)))
      .handle("quoteSku", ({ path, urlParams }) =>
        asCaller((p) => catalog.quoteSku(p, path.skuId, urlParams.quantity)))
      .handle("listPlans", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) => catalog.listPlans(p, { product_id: urlParams.product_id }, page)))
      .handle("createPlan", ({ payload }) => asCaller((p) => catalog.createPlan(p, payload)))
      .handle("getPlan", ({ path, urlParams }) =>
        Effect.flatMap(versionParam(urlParams.version), (version) =>
          asCaller((p) => catalog.getPlan(p, path.planId, version))))
      .handle("updatePlan", ({ path, payload }) => asCaller((p) => catalog.updatePlan(p, path.planId, payload)))
      .handle("publishPlan", ({ path }) => asCaller((p) => catalog.publishPlan(p, path.planId)))
  ))
