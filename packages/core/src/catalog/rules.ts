import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Principal } from "../identity/model.js"
import { requireKind, requireWrite } from "../identity/policy.js"
import { ValidationError } from "../shared/errors.js"
import { type AvailabilityInput, Characteristic, type CharacteristicInput, Plan, type PriceModelName } from "./model.js"
import { type PriceModel, priceLimitProblem, type Tier, validatePriceModel } from "./pricing.js"

/** The catalog's rules that its input schemas cannot check alone: pure checks and the pricing fields each model uses. */

export { given } from "../shared/partial-update.js"

/** The catalog is the platform's: its admins and managers change it; everyone reads it. */
export const requireCatalogWriter = (principal: Principal) =>
  Effect.zipRight(requireKind(principal, ["platform"], "change the catalog"), requireWrite(principal))

// Products: the rules the input schemas cannot check alone ------------------------------------

export const checkAvailability = (entries: ReadonlyArray<AvailabilityInput>) => {
  const seen = new Set<string>()
  for (const [i, entry] of entries.entries()) {
    const key = `${entry.country}/${(entry.city ?? "").toLowerCase()}`
    if (seen.has(key)) {
      const place = entry.city == null ? entry.country : `${entry.city}, ${entry.country}`
      return Effect.fail(ValidationError.of(`availability[${i}]`, `repeats an earlier entry (${place})`))
    }
    seen.add(key)
  }
  return Effect.void
}

/** Names unique whatever their case; `allowed_values` required (non-empty, distinct) for enums, refused otherwise. */
export const checkCharacteristics = (inputs: ReadonlyArray<CharacteristicInput>) =>
  Effect.gen(function* () {
    const names = new Set<string>()
    const characteristics: Array<Characteristic> = []
    for (const [i, input] of inputs.entries()) {
      const at = `characteristics[${i}]`
      if (names.has(input.name.toLowerCase())) {
        return yield* ValidationError.of(`${at}.name`, `repeats an earlier characteristic's name ("${input.name}")`)
      }
      names.add(input.name.toLowerCase())
      const values = input.allowed_values ?? null
      if (input.type === "enum") {
        if (values === null || values.length === 0) {
          return yield* ValidationError.of(
            `${at}.allowed_values`,
            "is required for an enum characteristic: list the values it may take"
          )
        }
        const repeated = values.findIndex((value, j) => values.indexOf(value) < j)
        if (repeated >= 0) {
          return yield* ValidationError.of(`${at}.allowed_values[${repeated}]`, `repeats an earlier value ("${values[repeated]}")`)
        }
      } else if (values !== null) {
        return yield* ValidationError.of(
          `${at}.allowed_values`,
          `applies only to enum characteristics; leave it out for a ${input.type}`
        )
      }
      characteristics.push(new Characteristic({
        name: input.name,
        type: input.type,
        required: input.required ?? false,
        allowed_values: input.type === "enum" ? values : null
      }))
    }
    return characteristics
  })

// SKUs: the pricing fields each model uses ------------------------------------------------------

export interface Pricing {
  readonly model: PriceModelName
  readonly unit_price: BigDecimal.BigDecimal | null
  readonly package_size: number | null
  readonly tiers: ReadonlyArray<Tier>
}

export interface PricingInput {
  readonly unit_price?: BigDecimal.BigDecimal | null | undefined
  readonly package_size?: number | null | undefined
  readonly tiers?: ReadonlyArray<Tier> | null | undefined
}

export const USED_BY = {
  unit_price: ["per_unit", "package"],
  package_size: ["package"],
  tiers: ["graduated", "volume"]
} as const satisfies Record<keyof PricingInput, ReadonlyArray<PriceModelName>>

/** What the storage holds (a Postgres integer), and far more units than any package has. */
export const MAX_PACKAGE_SIZE = 1_000_000_000

export const isSent = (value: unknown) => value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)

/**
 * The pricing of a SKU with `model`: the fields sent, else the current ones (on update) where the
 * model uses them; the fields it does not use are cleared, and sending one is refused. Checked
 * with `validatePriceModel` and the bound on prices (`priceLimitProblem`), so every failure names its field.
 */
export const resolvePricing = (model: PriceModelName, input: PricingInput, current: Pricing | undefined) =>
  Effect.gen(function* () {
    for (const field of ["unit_price", "package_size", "tiers"] as const) {
      const uses = USED_BY[field] as ReadonlyArray<PriceModelName>
      if (!uses.includes(model) && isSent(input[field])) {
        return yield* ValidationError.of(
          field,
          `applies only to the ${uses.join(" and ")} model${uses.length > 1 ? "s" : ""}; leave it out for ${model}`
        )
      }
    }
    const pick = <K extends keyof PricingInput>(field: K, none: NonNullable<Pricing[K]> | null): Pricing[K] | null => {
      if (!(USED_BY[field] as ReadonlyArray<PriceModelName>).includes(model)) return none
      const sent = input[field]
      return (sent !== undefined ? sent : current?.[field] ?? null) as Pricing[K] | null
    }
    const unit_price = pick("unit_price", null)
    const package_size = pick("package_size", null)
    const tiers = pick("tiers", []) ?? []
    if ((model === "per_unit" || model === "package") && unit_price === null) {
      return yield* ValidationError.of("unit_price", `is required for the ${model} model`)
    }
    if (model === "package" && package_size === null) {
      return yield* ValidationError.of("package_size", "is required for the package model: the units in one package")
    }
    if (package_size !== null && package_size > MAX_PACKAGE_SIZE) {
      return yield* ValidationError.of("package_size", `must be at most ${MAX_PACKAGE_SIZE}`)
    }
    const priceModel: PriceModel = model === "per_unit"
      ? { model, unit_price: unit_price! }
      : model === "package"
      ? { model, unit_price: unit_price!, package_size: package_size! }
      : { model, tiers }
    yield* validatePriceModel(priceModel)
    const tooLarge = priceLimitProblem(priceModel)
    if (Option.isSome(tooLarge)) return yield* tooLarge.value
    return { model, unit_price, package_size, tiers } satisfies Pricing
  })

// Plans ----------------------------------------------------------------------------------------

export type PlanFields = Pick<
  Plan,
  "product_id" | "name" | "price" | "billing_interval" | "commitment_months" | "addon_plan_ids" | "sku_ids"
    | "tax_behavior" | "tax_category" | "place_of_supply"
>

export const COUNTRY_CURSOR = /^country_([a-z]{2})$/

/** A product's or SKU's fields a PUT does not change (shared/read-only.ts). */
export const READ_ONLY_CATALOG_FIELDS = {
  id: "cannot be changed",
  created_at: "cannot be changed",
  updated_at: "cannot be changed"
} as const
