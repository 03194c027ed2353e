import * as Schema from "effect/Schema"
import { prefixedId } from "../shared/ids.js"
import { Currency, DecimalString, Money } from "../shared/money.js"
import { Timestamp } from "../shared/time.js"
import { isCountryCode } from "./countries.js"
import { type PriceModel, Tier } from "./pricing.js"
import { Name, Text } from "../shared/text.js"
import { readOnlyField } from "../shared/read-only.js"
import { TaxCategory } from "../invoices/model.js"
import { PlaceOfSupply, TaxBehavior } from "../tax/model.js"

/**
 * How a plan's or SKU's lines are taxed (docs/tax.md): prices exclusive of tax (the default) or
 * inclusive; the category (`telecom` by default: Provisio sells telecom and electronically
 * supplied services); the place of supply (`customer`, the EU rule for such services to
 * consumers, or `seller` to opt out).
 */
const taxTreatment = {
  tax_behavior: TaxBehavior,
  tax_category: TaxCategory,
  place_of_supply: PlaceOfSupply
}
const taxTreatmentInput = {
  tax_behavior: Schema.optional(TaxBehavior),
  tax_category: Schema.optional(TaxCategory),
  place_of_supply: Schema.optional(PlaceOfSupply)
}

/**
 * The platform's catalog: products (and the countries and cities where they are offered), SKUs
 * (how metered usage is priced) and plans (versioned recurring prices of a product). The catalog
 * belongs to the platform: its admins write it, every authenticated caller reads it.
 */

export const ProductId = prefixedId("prd", "ProductId")
export type ProductId = typeof ProductId.Type

export const CityId = prefixedId("cty", "CityId")
export type CityId = typeof CityId.Type

export const SkuId = prefixedId("sku", "SkuId")
export type SkuId = typeof SkuId.Type

export const PlanId = prefixedId("pln", "PlanId")
export type PlanId = typeof PlanId.Type

export const ProductType = Schema.Literal("phone_number", "connection", "license", "service")
export type ProductType = typeof ProductType.Type

export const CharacteristicType = Schema.Literal("string", "number", "boolean", "enum")
export type CharacteristicType = typeof CharacteristicType.Type

export const PriceModelName = Schema.Literal("per_unit", "graduated", "volume", "package")
export type PriceModelName = typeof PriceModelName.Type

export const PlanStatus = Schema.Literal("draft", "published", "retired")
export type PlanStatus = typeof PlanStatus.Type

export const BillingInterval = Schema.Literal("month", "year")
export type BillingInterval = typeof BillingInterval.Type

/** How many months one billing interval spans. */
export const INTERVAL_MONTHS: Record<BillingInterval, number> = { month: 1, year: 12 }

// Field formats --------------------------------------------------------------------------------

/** An assigned ISO 3166-1 alpha-2 code, in upper case (countries.ts). */
export const CountryCode = Schema.String.pipe(
  Schema.filter(isCountryCode, {
    message: () => "must be an ISO 3166-1 alpha-2 country code in upper case, e.g. \"DE\""
  })
)

const CityName = Text(100)

// Countries and cities -------------------------------------------------------------------------

/** A country where at least one product is offered; the name comes from the built-in table. */
export class Country extends Schema.Class<Country>("Country")({
  code: Schema.String,
  name: Schema.String
}) {}

/**
 * A city where a product is (or was) offered. Created the first time a product's availability
 * names it; one per country and name, whatever the name's case (the first spelling stays).
 */
export class City extends Schema.Class<City>("City")({
  id: CityId,
  country: Schema.String,
  name: Schema.String,
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

// Products -------------------------------------------------------------------------------------

/** Where a product is offered: a whole country (`city` null) or one city in it. */
export class Availability extends Schema.Class<Availability>("Availability")({
  country: Schema.String,
  /** The city's name as first recorded, or null for the whole country. */
  city: Schema.NullOr(Schema.String),
  city_id: Schema.NullOr(CityId)
}) {}

/** On input a city is named; its record is found (or created) by country and name. */
export const AvailabilityInput = Schema.Struct({
  country: CountryCode,
  city: Schema.optional(Schema.NullOr(CityName))
})
export type AvailabilityInput = typeof AvailabilityInput.Type

/**
 * Something an order item for the product must state (a SIP trunk's channel count, a number's
 * area code). `allowed_values` lists an enum's values and is null for the other types.
 */
export class Characteristic extends Schema.Class<Characteristic>("Characteristic")({
  name: Schema.String,
  type: CharacteristicType,
  required: Schema.Boolean,
  allowed_values: Schema.NullOr(Schema.Array(Schema.String))
}) {}

export const CharacteristicInput = Schema.Struct({
  name: Text(100),
  type: CharacteristicType,
  /** `false` when absent. */
  required: Schema.optional(Schema.Boolean),
  /** Required for `enum`, refused for the other types. */
  allowed_values: Schema.optional(Schema.NullOr(Schema.Array(Text(200))))
})
export type CharacteristicInput = typeof CharacteristicInput.Type

export class Product extends Schema.Class<Product>("Product")({
  id: ProductId,
  name: Schema.String,
  type: ProductType,
  availability: Schema.Array(Availability),
  characteristics: Schema.Array(Characteristic),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class CreateProduct extends Schema.Class<CreateProduct>("CreateProduct")({
  /** Unique in the catalog, whatever its case. */
  name: Name,
  type: ProductType,
  availability: Schema.optional(Schema.Array(AvailabilityInput)),
  characteristics: Schema.optional(Schema.Array(CharacteristicInput))
}) {}

/** A partial update: absent fields keep their value; `availability` and `characteristics` are replaced whole. */
/** Read-only (shared/read-only.ts): taken only as they are, so a record read and sent back whole is taken. */
const catalogReadOnly = { id: readOnlyField, created_at: readOnlyField, updated_at: readOnlyField }

export class UpdateProduct extends Schema.Class<UpdateProduct>("UpdateProduct")({
  name: Schema.optional(Name),
  type: Schema.optional(ProductType),
  availability: Schema.optional(Schema.Array(AvailabilityInput)),
  characteristics: Schema.optional(Schema.Array(CharacteristicInput)),
  ...catalogReadOnly
}) {}

// SKUs -----------------------------------------------------------------------------------------

const SkuCode = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, {
    message: () => "must be 1 to 100 letters, digits, \".\", \"_\" or \"-\", starting with a letter or digit, e.g. \"voice-minutes\""
  })
)

/**
 * How a metered quantity is priced (docs/pricing.md). The pricing fields a model does not use
 * are null (`unit_price` for tiered models, `package_size` but for `package`) or empty (`tiers`).
 */
export class Sku extends Schema.Class<Sku>("Sku")({
  id: SkuId,
  /** Unique in the catalog, whatever its case: what usage records and catalog files name. */
  code: Schema.String,
  name: Schema.String,
  /** What one unit is: "minute", "GB", "call". */
  unit: Schema.String,
  currency: Currency,
  model: PriceModelName,
  unit_price: Schema.NullOr(DecimalString),
  package_size: Schema.NullOr(Schema.Int),
  tiers: Schema.Array(Tier),
  /** Usage levels in a period that raise an event when crossed (thresholds.ts). */
  thresholds: Schema.Array(Schema.Number),
  ...taxTreatment,
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

const pricingInput = {
  /** per_unit: the price of a unit; package: the price of a package. */
  unit_price: Schema.optional(Schema.NullOr(DecimalString)),
  /** package only: units per package. */
  package_size: Schema.optional(Schema.NullOr(Schema.Number)),
  /** graduated and volume only. */
  tiers: Schema.optional(Schema.NullOr(Schema.Array(Tier))),
  thresholds: Schema.optional(Schema.Array(Schema.Number))
}

export class CreateSku extends Schema.Class<CreateSku>("CreateSku")({
  code: SkuCode,
  name: Name,
  unit: Text(50),
  currency: Currency,
  model: PriceModelName,
  ...pricingInput,
  ...taxTreatmentInput
}) {}

/**
 * A partial update. Pricing fields the (new) model does not use are cleared; sending one of them
 * is a mistake (422).
 */
export class UpdateSku extends Schema.Class<UpdateSku>("UpdateSku")({
  code: Schema.optional(SkuCode),
  name: Schema.optional(Name),
  unit: Schema.optional(Text(50)),
  currency: Schema.optional(Currency),
  model: Schema.optional(PriceModelName),
  ...pricingInput,
  ...taxTreatmentInput,
  ...catalogReadOnly
}) {}

/** One line of a rating (pricing.ts `RatingLine`), exact. */
export class QuoteLine extends Schema.Class<QuoteLine>("QuoteLine")({
  tier: Schema.NullOr(Schema.Int),
  units: DecimalString,
  quantity: DecimalString,
  unit_price: DecimalString,
  flat_fee: DecimalString,
  amount: DecimalString
}) {}

/** What a quantity of a SKU costs, and how: `unrounded` is exact, `amount` rounded once. */
export class Quote extends Schema.Class<Quote>("Quote")({
  sku_id: SkuId,
  quantity: DecimalString,
  currency: Currency,
  lines: Schema.Array(QuoteLine),
  unrounded: DecimalString,
  amount: Money
}) {}

// Plans ----------------------------------------------------------------------------------------

/**
 * One version of a plan. A plan is created as version 1, a draft; each change makes a new draft
 * version and leaves the earlier ones as they were; publishing the latest draft makes it the
 * version new subscriptions get and retires the version published before.
 */
export class Plan extends Schema.Class<Plan>("Plan")({
  id: PlanId,
  product_id: ProductId,
  name: Schema.String,
  version: Schema.Int,
  status: PlanStatus,
  /** Per unit (seat, number, trunk) per billing interval. */
  price: Money,
  billing_interval: BillingInterval,
  /**
   * A minimum term, paid in installments of one interval each (12 months billed monthly: 12
   * installments); null when the plan can be cancelled at any period end.
   */
  commitment_months: Schema.NullOr(Schema.Int),
  /** Plans that may be added to a subscription of this plan. */
  addon_plan_ids: Schema.Array(PlanId),
  /** SKUs metered under the plan, priced in the plan's currency. */
  sku_ids: Schema.Array(SkuId),
  /** The plan's version new subscriptions get (whichever version this record is); null before the first publish. */
  published_version: Schema.NullOr(Schema.Int),
  /** How its lines are taxed; the plan's, whichever version (a change applies to lines taxed after it). */
  ...taxTreatment,
  /** When this version was made. */
  created_at: Timestamp,
  /** When this version last changed (its status, at publishing). */
  updated_at: Timestamp
}) {}

const CommitmentMonths = Schema.Int.pipe(
  Schema.between(1, 120, { message: () => "must be a whole number of months from 1 to 120" })
)

export class CreatePlan extends Schema.Class<CreatePlan>("CreatePlan")({
  product_id: ProductId,
  /** Unique in the catalog, whatever its case. */
  name: Name,
  price: Money,
  billing_interval: BillingInterval,
  commitment_months: Schema.optional(Schema.NullOr(CommitmentMonths)),
  addon_plan_ids: Schema.optional(Schema.Array(PlanId)),
  sku_ids: Schema.optional(Schema.Array(SkuId)),
  ...taxTreatmentInput
}) {}

/**
 * A new draft version: the latest version with the fields sent changed (absent fields keep their
 * value, `null` clears `commitment_months`). A plan's product never changes.
 */
export class UpdatePlan extends Schema.Class<UpdatePlan>("UpdatePlan")({
  name: Schema.optional(Name),
  price: Schema.optional(Money),
  billing_interval: Schema.optional(BillingInterval),
  commitment_months: Schema.optional(Schema.NullOr(CommitmentMonths)),
  addon_plan_ids: Schema.optional(Schema.Array(PlanId)),
  sku_ids: Schema.optional(Schema.Array(SkuId)),
  ...taxTreatmentInput,
  product_id: readOnlyField,
  version: readOnlyField,
  status: readOnlyField,
  published_version: readOnlyField,
  ...catalogReadOnly
}) {}

/** The SKU's pricing fields as the price model `rate` reads (pricing.ts). */
export const skuPriceModel = (sku: Pick<Sku, "id" | "model" | "unit_price" | "package_size" | "tiers">): PriceModel => {
  const unitPrice = () => {
    if (sku.unit_price === null) throw new RangeError(`SKU ${sku.id} (${sku.model}) has no unit_price`)
    return sku.unit_price
  }
  switch (sku.model) {
    case "per_unit":
      return { model: "per_unit", unit_price: unitPrice() }
    case "package":
      if (sku.package_size === null) throw new RangeError(`SKU ${sku.id} (package) has no package_size`)
      return { model: "package", unit_price: unitPrice(), package_size: sku.package_size }
    case "graduated":
    case "volume":
      return { model: sku.model, tiers: sku.tiers }
  }
}
