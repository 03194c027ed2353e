import * as Schema from "effect/Schema"
import { CalendarDate } from "../commissions/model.js"
import { CountryCode } from "../customers/model.js"
import { TaxCategory } from "../invoices/model.js"
import { prefixedId } from "../shared/ids.js"
import { Timestamp } from "../shared/time.js"

/**
 * The rate table (`txr_`): one row per country (optional region), category and validity.
 * `valid_to` is exclusive, so a rate that changes on Jan 1 ends on `2027-01-01` and its successor
 * starts there. A category with no row of its own in a country uses the country's `standard` row.
 */

export const TaxRateId = prefixedId("txr", "TaxRateId")
export type TaxRateId = typeof TaxRateId.Type

/** A percentage as a decimal string, 0 <= rate < 100, at most 4 decimals: "19.0", "8.1", "0". */
export const RatePercent = Schema.String.pipe(
  Schema.filter((text) => /^\d{1,2}(\.\d{1,4})?$/.test(text), {
    message: () => "must be a percentage written as a decimal string from \"0\" to \"99.9999\", e.g. \"19.0\""
  })
).annotations({ identifier: "RatePercent", jsonSchema: { type: "string", examples: ["19.0"] } })

export const TaxBehavior = Schema.Literal("exclusive", "inclusive")
export type TaxBehavior = typeof TaxBehavior.Type

export const PlaceOfSupply = Schema.Literal("customer", "seller")
export type PlaceOfSupply = typeof PlaceOfSupply.Type

const Region = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(50))

export class TaxRate extends Schema.Class<TaxRate>("TaxRate")({
  id: TaxRateId,
  country: CountryCode,
  /** A region inside the country (a US state, a Canadian province); null for the whole country. */
  region: Schema.NullOr(Schema.String),
  category: TaxCategory,
  rate: RatePercent,
  valid_from: CalendarDate,
  /** Exclusive; null while in force. */
  valid_to: Schema.NullOr(CalendarDate),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class CreateTaxRate extends Schema.Class<CreateTaxRate>("CreateTaxRate")({
  country: CountryCode,
  region: Schema.optional(Schema.NullOr(Region)),
  category: TaxCategory,
  rate: RatePercent,
  valid_from: CalendarDate,
  valid_to: Schema.optional(Schema.NullOr(CalendarDate))
}) {}

/** A partial update: an absent field keeps its value. */
export class UpdateTaxRate extends Schema.Class<UpdateTaxRate>("UpdateTaxRate")({
  country: Schema.optional(CountryCode),
  region: Schema.optional(Schema.NullOr(Region)),
  category: Schema.optional(TaxCategory),
  rate: Schema.optional(RatePercent),
  valid_from: Schema.optional(CalendarDate),
  valid_to: Schema.optional(Schema.NullOr(CalendarDate))
}) {}

export const TaxRateListQuery = Schema.Struct({
  country: Schema.optional(CountryCode),
  category: Schema.optional(TaxCategory)
})
