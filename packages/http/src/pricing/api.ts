import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { PlanId } from "@provisio/core/catalog/model"
import {
  AssignPriceList,
  CreatePriceList,
  PriceList,
  PriceListId,
  PriceQuery,
  ResolvedPrice,
  UpdatePriceList
} from "@provisio/core/pricing/model"
import * as Schema from "effect/Schema"
import { Envelope, PageEnvelope } from "../envelope.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"

const ListPath = Schema.Struct({ priceListId: PathParam(PriceListId) })

const OWNERS = "Platform, distributor and partner admins write their own lists (others 403); an owner sees its own " +
  "lists and those of the accounts below it, never a list of a tier above or beside it (404)."
const RULES = "`rules`: each names one of `plan_id`, `sku_id`, `product_id` or `all: true`; `type` `fixed` (a price in " +
  "`value`, or `tiers` for a usage SKU, shaped like the catalog's) or `markup_percent` / `discount_percent` (a " +
  "percentage in `value`, over the price the owner buys at); `rounding` `cent` (default) or `ninety_nine` (up to the " +
  "next .99: 8.40 -> 8.99, 8.99 stays; plans only). A bad rule is 422 with its field (`rules[1].value`)."

export class PricingApi extends HttpApiGroup.make("pricing")
  .add(
    HttpApiEndpoint.get("listPriceLists", "/price-lists")
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(PriceList))
      .annotate(OpenApi.Description, `The caller's own price lists, oldest first. ${OWNERS}`)
  )
  .add(
    HttpApiEndpoint.post("createPriceList", "/price-lists")
      .setPayload(CreatePriceList)
      .addSuccess(Envelope(PriceList), { status: 201 })
      .annotate(
        OpenApi.Description,
        "A price list of `owner_account_id` (the caller's account unless given) in `currency`, in force from " +
          "`valid_from` until the day before `valid_to` (exclusive, open when absent). `apply`: `at_renewal` (default: " +
          "a subscription takes a new price from its next period) or `immediately`. It prices nobody until assigned " +
          `(PUT /price-lists/{id}/assignments). ${RULES} ${OWNERS}`
      )
  )
  .add(
    HttpApiEndpoint.get("getPriceList", "/price-lists/:priceListId")
      .setPath(ListPath)
      .addSuccess(Envelope(PriceList))
  )
  .add(
    HttpApiEndpoint.put("updatePriceList", "/price-lists/:priceListId")
      .setPath(ListPath)
      .setPayload(UpdatePriceList)
      .addSuccess(Envelope(PriceList))
      .annotate(OpenApi.Description, "Changes the fields given (`name`, `currency`, `valid_from`, `valid_to`, `apply`, `rules`); `rules`, when sent, " +
        "replaces them all. The owner is fixed when the list is made: `owner_account_id` may be sent as it is, another is " +
        `422. ${RULES} ${OWNERS}`)
  )
  .add(
    HttpApiEndpoint.del("deletePriceList", "/price-lists/:priceListId")
      .setPath(ListPath)
      .addSuccess(HttpApiSchema.NoContent)
      .annotate(OpenApi.Description, `Removes the list; invoices already made keep their prices. ${OWNERS}`)
  )
  .add(
    HttpApiEndpoint.put("assignPriceList", "/price-lists/:priceListId/assignments")
      .setPath(ListPath)
      .setPayload(AssignPriceList)
      .addSuccess(Envelope(PriceList))
      .annotate(
        OpenApi.Description,
        "Who the list prices, replacing the assignment before: `account_ids` (a platform's list: distributors, " +
          "setting their cost; a distributor's: its partners, setting theirs), `customer_ids` (a partner's list: its " +
          "customers' prices) or `all: true` (every one directly below the owner). A list assigned by name wins over " +
          "one assigned to all. An id not directly below the owner is 422 with its field (`account_ids[0]`)."
      )
  )
  .add(
    HttpApiEndpoint.get("getPlanPrice", "/plans/:planId/price")
      .setPath(Schema.Struct({ planId: PathParam(PlanId) }))
      .setUrlParams(PriceQuery)
      .addSuccess(Envelope(ResolvedPrice))
      .annotate(
        OpenApi.Description,
        "The plan's price (its current version) for `customer_id` or `account_id` (the caller's own when neither) " +
          "on `date` (today when absent), and the chain that produced it: one step per tier from the caller's own " +
          "buying price down, each with the list and rule that set it. A step with no list takes the plan's price. " +
          "The caller's own step shows its price but not its seller's list or rule; nobody sees a tier above its own. " +
          "A customer or account outside the caller's scope is 404."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
