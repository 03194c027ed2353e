import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { CreateTaxRate, TaxRate, TaxRateId, TaxRateListQuery, UpdateTaxRate } from "@provisio/core/tax/model"
import * as Schema from "effect/Schema"
import { Envelope, PageEnvelope } from "../envelope.js"
import { InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"

const RatePath = Schema.Struct({ rateId: PathParam(TaxRateId) })

const WRITERS = "Every caller may read the rate table; only platform admins change it (others 403)."
const OVERLAP = "A validity that shares a day with another row of the same country, region and category is " +
  "409 invalid_state (field valid_from): end the current row (valid_to, exclusive) before a new one starts."

export class TaxApi extends HttpApiGroup.make("tax")
  .add(
    HttpApiEndpoint.get("listTaxRates", "/tax-rates")
      .setUrlParams(Schema.Struct({ ...PageQuery.fields, ...TaxRateListQuery.fields }))
      .addSuccess(PageEnvelope(TaxRate))
      .annotate(OpenApi.Description, `The tax rate table, oldest row first; \`country\`, \`category\` filter. ${WRITERS}`)
  )
  .add(
    HttpApiEndpoint.post("createTaxRate", "/tax-rates")
      .setPayload(CreateTaxRate)
      .addSuccess(Envelope(TaxRate), { status: 201 })
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "Adds a rate: `rate` a percentage as a decimal string (\"19.0\"), in force from `valid_from` until the day " +
          "before `valid_to` (exclusive, open when absent). A category with no row of its own in a country is taxed " +
          `at the country's \`standard\` row. Invoices take the rate in force on each line's service date. ${OVERLAP} ${WRITERS}`
      )
  )
  .add(
    HttpApiEndpoint.get("getTaxRate", "/tax-rates/:rateId")
      .setPath(RatePath)
      .addSuccess(Envelope(TaxRate))
  )
  .add(
    HttpApiEndpoint.put("updateTaxRate", "/tax-rates/:rateId")
      .setPath(RatePath)
      .setPayload(UpdateTaxRate)
      .addSuccess(Envelope(TaxRate))
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "Changes the fields given (e.g. `valid_to` to end a rate). Invoices already finalized keep the rates they " +
          `were taxed at; drafts are taxed again when re-rated or finalized. ${OVERLAP} ${WRITERS}`
      )
  )
  .add(
    HttpApiEndpoint.del("deleteTaxRate", "/tax-rates/:rateId")
      .setPath(RatePath)
      .addSuccess(HttpApiSchema.NoContent)
      .annotate(OpenApi.Description, `Removes a row; finalized invoices keep their rates. ${WRITERS}`)
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
