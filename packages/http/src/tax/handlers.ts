import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { TaxRates } from "@provisio/core/tax/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const TaxHandlers = HttpApiBuilder.group(ProvisioApi, "tax", (handlers) =>
  Effect.map(TaxRates, (rates) =>
    handlers
      .handle("listTaxRates", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) =>
          rates.listRates(p, { country: urlParams.country, category: urlParams.category }, page)))
      .handle("createTaxRate", ({ payload }) => asCaller((p) => rates.createRate(p, payload)))
      .handle("getTaxRate", ({ path }) => asCaller((p) => rates.getRate(p, path.rateId)))
      .handle("updateTaxRate", ({ path, payload }) => asCaller((p) => rates.updateRate(p, path.rateId, payload)))
      .handle("deleteTaxRate", ({ path }) => asCaller((p) => rates.deleteRate(p, path.rateId)))
  ))
