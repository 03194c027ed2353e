import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import {
  City,
  CityId,
  Country,
  CreatePlan,
  CreateProduct,
  CreateSku,
  Plan,
  PlanId,
  Product,
  ProductId,
  Quote,
  Sku,
  SkuId,
  UpdatePlan,
  UpdateProduct,
  UpdateSku
} from "@provisio/core/catalog/model"
import * as Schema from "effect/Schema"
import { Envelope, NoBody, PageEnvelope } from "../envelope.js"
import { DuplicatePlanError, DuplicateProductError, DuplicateSkuError, InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { CountryCodeParam, PathParam } from "../path-params.js"

const ProductPath = Schema.Struct({ productId: PathParam(ProductId) })
const CountryPath = Schema.Struct({ countryCode: CountryCodeParam })
const CityPath = Schema.Struct({ countryCode: CountryCodeParam, cityId: PathParam(CityId) })
const SkuPath = Schema.Struct({ skuId: PathParam(SkuId) })
const PlanPath = Schema.Struct({ planId: PathParam(PlanId) })

/** `?product_id=` narrows the list to one product's plans. */
export const PlanListQuery = Schema.Struct({ ...PageQuery.fields, product_id: Schema.optional(ProductId) })

/** `?version=` asks for one version instead of the latest. Text, so a wrong type answers 400 naming it. */
export const PlanVersionQuery = Schema.Struct({
  version: Schema.optional(Schema.String.annotations({
    description: "A version of the plan (default: the current one)",
    jsonSchema: { type: "integer", minimum: 1 }
  }))
})

/** `?quantity=`: a decimal string, e.g. `1500` or `2500.5`. */
export const QuoteQuery = Schema.Struct({
  quantity: Schema.String.annotations({
    description: "The quantity to rate: a decimal, e.g. 2500 or 12.5",
    jsonSchema: { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?$" }
  })
})

/** Publishing takes no fields: the body may be empty (or `{}`). */

const WRITERS = "Platform admins and managers change the catalog (others: 403); every authenticated caller reads it."

export class CatalogApi extends HttpApiGroup.make("catalog")
  // Products
  .add(HttpApiEndpoint.get("listProducts", "/products").setUrlParams(PageQuery).addSuccess(PageEnvelope(Product)))
  .add(
    HttpApiEndpoint.post("createProduct", "/products")
      .setPayload(CreateProduct)
      .addSuccess(Envelope(Product), { status: 201 })
      .addError(DuplicateProductError)
      .annotate(
        OpenApi.Description,
        `${WRITERS} Names are unique whatever their case. A city in \`availability\` is named; its record ` +
          "(`city_id`) is created the first time any product names it."
      )
  )
  .add(HttpApiEndpoint.get("getProduct", "/products/:productId").setPath(ProductPath).addSuccess(Envelope(Product)))
  .add(
    HttpApiEndpoint.put("updateProduct", "/products/:productId")
      .setPath(ProductPath)
      .setPayload(UpdateProduct)
      .addSuccess(Envelope(Product))
      .addError(DuplicateProductError)
      .annotate(
        OpenApi.Description,
        "Only the fields sent change; `availability` and `characteristics` are replaced whole."
      )
  )
  // Countries and cities: only where at least one product is offered
  .add(
    HttpApiEndpoint.get("listCountries", "/countries")
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(Country))
      .annotate(OpenApi.Description, "Countries where at least one product is offered, by code.")
  )
  .add(
    HttpApiEndpoint.get("getCountry", "/countries/:countryCode")
      .setPath(CountryPath)
      .addSuccess(Envelope(Country))
      .annotate(OpenApi.Description, "404 unless a product is offered in the country.")
  )
  .add(
    HttpApiEndpoint.get("listCities", "/countries/:countryCode/cities")
      .setPath(CountryPath)
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(City))
      .annotate(OpenApi.Description, "Cities of the country where at least one product is offered.")
  )
  .add(
    HttpApiEndpoint.get("getCity", "/countries/:countryCode/cities/:cityId")
      .setPath(CityPath)
      .addSuccess(Envelope(City))
  )
  // SKUs and pricing
  .add(HttpApiEndpoint.get("listSkus", "/pricing").setUrlParams(PageQuery).addSuccess(PageEnvelope(Sku)))
  .add(
    HttpApiEndpoint.post("createSku", "/pricing")
      .setPayload(CreateSku)
      .addSuccess(Envelope(Sku), { status: 201 })
      .addError(DuplicateSkuError)
      .annotate(
        OpenApi.Description,
        `${WRITERS} Prices are decimal strings in the SKU's currency; \`per_unit\` and \`package\` take ` +
          "`unit_price` (and `package` `package_size`), `graduated` and `volume` take `tiers` (the last one open, " +
          "`up_to: null`). See docs/pricing.md."
      )
  )
  .add(HttpApiEndpoint.get("getSku", "/pricing/:skuId").setPath(SkuPath).addSuccess(Envelope(Sku)))
  .add(
    HttpApiEndpoint.put("updateSku", "/pricing/:skuId")
      .setPath(SkuPath)
      .setPayload(UpdateSku)
      .addSuccess(Envelope(Sku))
      .addError(DuplicateSkuError)
      .annotate(
        OpenApi.Description,
        "Only the fields sent change. Pricing fields the (new) model does not use are cleared. The currency of a " +
          "SKU that plans meter cannot change."
      )
  )
  .add(
    HttpApiEndpoint.get("quoteSku", "/pricing/:skuId/quote")
      .setPath(SkuPath)
      .setUrlParams(QuoteQuery)
      .addSuccess(Envelope(Quote))
      .annotate(
        OpenApi.Description,
        "What `quantity` units cost and how (the rating lines, exact), rounded once to the currency's minor unit. " +
          "Stores nothing."
      )
  )
  // Plans, versioned
  .add(
    HttpApiEndpoint.get("listPlans", "/plans")
      .setUrlParams(PlanListQuery)
      .addSuccess(PageEnvelope(Plan))
      .annotate(OpenApi.Description, "The latest version of each plan.")
  )
  .add(
    HttpApiEndpoint.post("createPlan", "/plans")
      .setPayload(CreatePlan)
      .addSuccess(Envelope(Plan), { status: 201 })
      .addError(DuplicatePlanError)
      .annotate(
        OpenApi.Description,
        `${WRITERS} Creates version 1, a draft. Add-on plans and SKUs must exist and be priced in the plan's currency.`
      )
  )
  .add(
    HttpApiEndpoint.get("getPlan", "/plans/:planId")
      .setPath(PlanPath)
      .setUrlParams(PlanVersionQuery)
      .addSuccess(Envelope(Plan))
      .annotate(OpenApi.Description, "The latest version, or `?version=` for another one.")
  )
  .add(
    HttpApiEndpoint.put("updatePlan", "/plans/:planId")
      .setPath(PlanPath)
      .setPayload(UpdatePlan)
      .addSuccess(Envelope(Plan))
      .addError(DuplicatePlanError)
      .annotate(
        OpenApi.Description,
        "Makes a new draft version: the latest version with the fields sent changed. Earlier versions stay as " +
          "they are; the product never changes."
      )
  )
  .add(
    HttpApiEndpoint.post("publishPlan", "/plans/:planId/publish")
      .setPath(PlanPath)
      .setPayload(NoBody)
      .addSuccess(Envelope(Plan))
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "The latest version, a draft, becomes the version new subscriptions get; the version published before is " +
          "retired (its subscriptions keep it). 409 invalid_state when the latest version is not a draft."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
