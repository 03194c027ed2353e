import { BigDecimal, Context, DateTime, Effect, Either, Layer, Option } from "effect"
import type { Principal } from "../identity/model.js"
import { requireKind, requireWrite } from "../identity/policy.js"
import { InvalidState, NotFound, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { money, parseDecimal } from "../shared/money.js"
import { encodeCursor, type Page, type PageRequest } from "../shared/pagination.js"
import { Transactor } from "../shared/transactor.js"
import { countryName, isCountryCode } from "./countries.js"
import { type CatalogFile, type ImportItem, makeImporter } from "./catalog-file.js"
import {
  Availability,
  type AvailabilityInput,
  Characteristic,
  type CharacteristicInput,
  City,
  type CityId,
  Country,
  type CreatePlan,
  type CreateProduct,
  type CreateSku,
  INTERVAL_MONTHS,
  Plan,
  type PlanId,
  type PriceModelName,
  Product,
  type ProductId,
  Quote,
  QuoteLine,
  Sku,
  type SkuId,
  skuPriceModel,
  type UpdatePlan,
  type UpdateProduct,
  type UpdateSku
} from "./model.js"
import { PlaceRepo, type PlanFilter, PlanRepo, ProductRepo, SkuRepo } from "./ports.js"
import { type PriceModel, rate, type Tier, validatePriceModel } from "./pricing.js"
import { validateThresholds } from "./thresholds.js"
import { now } from "../shared/time.js"

/** A partial update's rule: an absent field keeps the current value, anything else (null too) replaces it. */
const given = <A>(value: A | undefined, current: A): A => (value === undefined ? current : value)

/** The catalog is the platform's: its admins and managers change it; everyone reads it. */
export const requireCatalogWriter = (principal: Principal) =>
  Effect.zipRight(requireKind(principal, ["platform"], "change the catalog"), requireWrite(principal))

// Products: the rules the input schemas cannot check alone ------------------------------------

const checkAvailability = (entries: ReadonlyArray<AvailabilityInput>) => {
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
const checkCharacteristics = (inputs: ReadonlyArray<CharacteristicInput>) =>
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

interface Pricing {
  readonly model: PriceModelName
  readonly unit_price: BigDecimal.BigDecimal | null
  readonly package_size: number | null
  readonly tiers: ReadonlyArray<Tier>
}

interface PricingInput {
  readonly unit_price?: BigDecimal.BigDecimal | null | undefined
  readonly package_size?: number | null | undefined
  readonly tiers?: ReadonlyArray<Tier> | null | undefined
}

const USED_BY = {
  unit_price: ["per_unit", "package"],
  package_size: ["package"],
  tiers: ["graduated", "volume"]
} as const satisfies Record<keyof PricingInput, ReadonlyArray<PriceModelName>>

/** What the storage holds (a Postgres integer), and far more units than any package has. */
const MAX_PACKAGE_SIZE = 1_000_000_000

const isSent = (value: unknown) => value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)

/**
 * The pricing of a SKU with `model`: the fields sent, else the current ones (on update) where the
 * model uses them; the fields it does not use are cleared, and sending one is refused. Checked
 * with `validatePriceModel`, so every failure names its field.
 */
const resolvePricing = (model: PriceModelName, input: PricingInput, current: Pricing | undefined) =>
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
    return { model, unit_price, package_size, tiers } satisfies Pricing
  })

// Plans ----------------------------------------------------------------------------------------

type PlanFields = Pick<
  Plan,
  "product_id" | "name" | "price" | "billing_interval" | "commitment_months" | "addon_plan_ids" | "sku_ids"
>

const COUNTRY_CURSOR = /^country_([a-z]{2})$/

export const make = Effect.gen(function* () {
  const products = yield* ProductRepo
  const places = yield* PlaceRepo
  const skus = yield* SkuRepo
  const plans = yield* PlanRepo
  const transactor = yield* Transactor

  // Products ----------------------------------------------------------------------------------

  const findProduct = (id: string) => products.findById(id).pipe(orNotFound("product", id))

  /** Each city named is looked up by country and name, and created the first time. */
  const resolveAvailability = (entries: ReadonlyArray<AvailabilityInput>, at: DateTime.Utc) =>
    Effect.forEach(entries, (entry) =>
      entry.city == null
        ? Effect.succeed(new Availability({ country: entry.country, city: null, city_id: null }))
        : Effect.gen(function* () {
          const city = yield* places.ensureCity(new City({
            id: (yield* makeId("cty")) as CityId,
            country: entry.country,
            name: entry.city!,
            created_at: at,
            updated_at: at
          }))
          return new Availability({ country: city.country, city: city.name, city_id: city.id })
        }))

  const createProduct = Effect.fn("Catalog.createProduct")(function* (principal: Principal, input: CreateProduct) {
    yield* requireCatalogWriter(principal)
    const entries = input.availability ?? []
    yield* checkAvailability(entries)
    const characteristics = yield* checkCharacteristics(input.characteristics ?? [])
    const id = (yield* makeId("prd")) as ProductId
    const at = yield* now
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const availability = yield* resolveAvailability(entries, at)
      return yield* products.insert(new Product({
        id,
        name: input.name,
        type: input.type,
        availability,
        characteristics,
        created_at: at,
        updated_at: at
      }))
    }))
  })

  const listProducts = (_principal: Principal, page: PageRequest) => products.list(page)

  const getProduct = Effect.fn("Catalog.getProduct")(function* (_principal: Principal, id: string) {
    return yield* findProduct(id)
  })

  const updateProduct = Effect.fn("Catalog.updateProduct")(function* (
    principal: Principal,
    id: string,
    input: UpdateProduct
  ) {
    yield* requireCatalogWriter(principal)
    const current = yield* findProduct(id)
    if (input.availability !== undefined) yield* checkAvailability(input.availability)
    const characteristics = input.characteristics === undefined
      ? current.characteristics
      : yield* checkCharacteristics(input.characteristics)
    const at = yield* now
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const availability = input.availability === undefined
        ? current.availability
        : yield* resolveAvailability(input.availability, at)
      return yield* products.update(new Product({
        ...current,
        name: given(input.name, current.name),
        type: given(input.type, current.type),
        availability,
        characteristics,
        updated_at: at
      }))
    }))
  })

  // Countries and cities ----------------------------------------------------------------------

  /** A country some product is offered in; any other code (assigned or not) is "not found". */
  const findCountry = (code: string) =>
    Effect.gen(function* () {
      const upper = code.toUpperCase()
      if (!isCountryCode(upper) || !(yield* places.isCountryOffered(upper))) {
        return yield* NotFound.of("country", code)
      }
      return new Country({ code: upper, name: countryName(upper) })
    })

  /** Paged by code: the cursor is the last code seen (ids elsewhere; countries have none). */
  const listCountries = Effect.fn("Catalog.listCountries")(function* (_principal: Principal, page: PageRequest) {
    let after: string | undefined
    if (page.after !== undefined) {
      const match = COUNTRY_CURSOR.exec(page.after)
      if (match === null) return yield* ValidationError.of("cursor", "is not a cursor this API returned")
      after = match[1]!.toUpperCase()
    }
    const codes = yield* places.offeredCountries(after, page.limit + 1)
    const items = codes.slice(0, page.limit).map((code) => new Country({ code, name: countryName(code) }))
    const last = items[items.length - 1]
    return {
      items,
      limit: page.limit,
      next_cursor: codes.length > page.limit && last !== undefined
        ? encodeCursor(`country_${last.code.toLowerCase()}`)
        : null
    } satisfies Page<Country>
  })

  const getCountry = Effect.fn("Catalog.getCountry")(function* (_principal: Principal, code: string) {
    return yield* findCountry(code)
  })

  const listCities = Effect.fn("Catalog.listCities")(function* (
    _principal: Principal,
    countryCode: string,
    page: PageRequest
  ) {
    const country = yield* findCountry(countryCode)
    return yield* places.offeredCities(country.code, page)
  })

  const getCity = Effect.fn("Catalog.getCity")(function* (_principal: Principal, countryCode: string, id: string) {
    const country = yield* findCountry(countryCode)
    return yield* places.findOfferedCity(country.code, id).pipe(orNotFound("city", id))
  })

  // SKUs --------------------------------------------------------------------------------------

  const findSku = (id: string) => skus.findById(id).pipe(orNotFound("SKU", id))

  const createSku = Effect.fn("Catalog.createSku")(function* (principal: Principal, input: CreateSku) {
    yield* requireCatalogWriter(principal)
    const pricing = yield* resolvePricing(input.model, input, undefined)
    const thresholds = yield* validateThresholds(input.thresholds ?? [])
    const at = yield* now
    return yield* skus.insert(new Sku({
      id: (yield* makeId("sku")) as SkuId,
      code: input.code,
      name: input.name,
      unit: input.unit,
      currency: input.currency,
      ...pricing,
      thresholds,
      created_at: at,
      updated_at: at
    }))
  })

  const listSkus = (_principal: Principal, page: PageRequest) => skus.list(page)

  const getSku = Effect.fn("Catalog.getSku")(function* (_principal: Principal, id: string) {
    return yield* findSku(id)
  })

  const updateSku = Effect.fn("Catalog.updateSku")(function* (principal: Principal, id: string, input: UpdateSku) {
    yield* requireCatalogWriter(principal)
    const current = yield* findSku(id)
    const pricing = yield* resolvePricing(input.model ?? current.model, input, current)
    const thresholds = input.thresholds === undefined ? current.thresholds : yield* validateThresholds(input.thresholds)
    const currency = input.currency ?? current.currency
    if (currency !== current.currency && (yield* plans.usesSku(current.id))) {
      return yield* ValidationError.of(
        "currency",
        `cannot change: plans meter this SKU in ${current.currency}; create another SKU priced in ${currency}`
      )
    }
    return yield* skus.update(new Sku({
      ...current,
      code: given(input.code, current.code),
      name: given(input.name, current.name),
      unit: given(input.unit, current.unit),
      currency,
      ...pricing,
      thresholds,
      updated_at: yield* now
    }))
  })

  /** What `quantity` units of the SKU cost (pricing.ts `rate`): nothing is stored. */
  const quoteSku = Effect.fn("Catalog.quoteSku")(function* (_principal: Principal, id: string, quantity: string) {
    const sku = yield* findSku(id)
    const units = yield* Either.mapLeft(parseDecimal(quantity), (message) => ValidationError.of("quantity", message))
    if (BigDecimal.isNegative(units)) return yield* ValidationError.of("quantity", "must not be negative")
    const rating = rate(skuPriceModel(sku), units, sku.currency)
    return new Quote({
      sku_id: sku.id,
      quantity: units,
      currency: sku.currency,
      lines: rating.lines.map((line) => new QuoteLine(line)),
      unrounded: rating.unrounded,
      amount: money(rating.amount, sku.currency)
    })
  })

  // Plans -------------------------------------------------------------------------------------

  const findPlan = (id: string) => plans.findLatest(id).pipe(orNotFound("plan", id))

  /** The rules across records: the product, add-ons and SKUs exist, and everything is in one currency. */
  const checkPlan = Effect.fn("Catalog.checkPlan")(function* (fields: PlanFields, self: string | undefined) {
    if (Option.isNone(yield* products.findById(fields.product_id))) {
      return yield* ValidationError.of("product_id", `product ${fields.product_id} does not exist`)
    }
    if (BigDecimal.isNegative(fields.price.amount)) {
      return yield* ValidationError.of("price.amount", "must not be negative")
    }
    const interval = INTERVAL_MONTHS[fields.billing_interval]
    if (fields.commitment_months !== null && fields.commitment_months % interval !== 0) {
      return yield* ValidationError.of(
        "commitment_months",
        `must be a whole number of ${fields.billing_interval}s (a multiple of ${interval}): it is paid in installments of one billing interval`
      )
    }
    const currency = fields.price.currency
    const addons = yield* plans.findLatestByIds(fields.addon_plan_ids)
    for (const [i, id] of fields.addon_plan_ids.entries()) {
      const field = `addon_plan_ids[${i}]`
      if (fields.addon_plan_ids.indexOf(id) < i) return yield* ValidationError.of(field, `repeats an earlier add-on (${id})`)
      if (id === self) return yield* ValidationError.of(field, "a plan cannot be an add-on of itself")
      const addon = addons.find((plan) => plan.id === id)
      if (addon === undefined) return yield* ValidationError.of(field, `plan ${id} does not exist`)
      if (addon.price.currency !== currency) {
        return yield* ValidationError.of(
          field,
          `plan ${id} is priced in ${addon.price.currency}, this plan in ${currency}: an add-on is billed with its plan, in one currency`
        )
      }
    }
    const metered = yield* skus.findByIds(fields.sku_ids)
    for (const [i, id] of fields.sku_ids.entries()) {
      const field = `sku_ids[${i}]`
      if (fields.sku_ids.indexOf(id) < i) return yield* ValidationError.of(field, `repeats an earlier SKU (${id})`)
      const sku = metered.find((s) => s.id === id)
      if (sku === undefined) return yield* ValidationError.of(field, `SKU ${id} does not exist`)
      if (sku.currency !== currency) {
        return yield* ValidationError.of(
          field,
          `SKU ${sku.code} is priced in ${sku.currency}, this plan in ${currency}: usage is billed with the plan, in one currency`
        )
      }
    }
  })

  const createPlan = Effect.fn("Catalog.createPlan")(function* (principal: Principal, input: CreatePlan) {
    yield* requireCatalogWriter(principal)
    const fields: PlanFields = {
      product_id: input.product_id,
      name: input.name,
      price: input.price,
      billing_interval: input.billing_interval,
      commitment_months: input.commitment_months ?? null,
      addon_plan_ids: input.addon_plan_ids ?? [],
      sku_ids: input.sku_ids ?? []
    }
    yield* checkPlan(fields, undefined)
    const at = yield* now
    return yield* plans.insert(new Plan({
      id: (yield* makeId("pln")) as PlanId,
      ...fields,
      version: 1,
      status: "draft",
      published_version: null,
      created_at: at,
      updated_at: at
    }))
  })

  const listPlans = (_principal: Principal, filter: PlanFilter, page: PageRequest) => plans.list(filter, page)

  /** The latest version, or the one asked for. */
  const getPlan = Effect.fn("Catalog.getPlan")(function* (
    _principal: Principal,
    id: string,
    version?: number | undefined
  ) {
    if (version === undefined) return yield* findPlan(id)
    const plan = yield* plans.findVersion(id, version)
    if (Option.isSome(plan)) return plan.value
    yield* findPlan(id)
    return yield* new NotFound({ message: `plan ${id} has no version ${version}`, field: "version" })
  })

  /** A new draft version: the latest one with the changes; the versions before stay as they are. */
  const updatePlan = Effect.fn("Catalog.updatePlan")(function* (principal: Principal, id: string, input: UpdatePlan) {
    yield* requireCatalogWriter(principal)
    return yield* transactor.withTransaction(Effect.gen(function* () {
      if (!(yield* plans.lock(id))) return yield* NotFound.of("plan", id)
      const latest = yield* findPlan(id)
      const fields: PlanFields = {
        product_id: latest.product_id,
        name: given(input.name, latest.name),
        price: given(input.price, latest.price),
        billing_interval: given(input.billing_interval, latest.billing_interval),
        commitment_months: given(input.commitment_months, latest.commitment_months),
        addon_plan_ids: given(input.addon_plan_ids, latest.addon_plan_ids),
        sku_ids: given(input.sku_ids, latest.sku_ids)
      }
      yield* checkPlan(fields, latest.id)
      const at = yield* now
      return yield* plans.addVersion(new Plan({
        ...latest,
        ...fields,
        version: latest.version + 1,
        status: "draft",
        created_at: at,
        updated_at: at
      }))
    }))
  })

  /**
   * The latest version, a draft, becomes the one new subscriptions get; the version published
   * before is retired (its subscriptions keep it). Its references are checked again, as they may
   * have changed since the draft was made.
   */
  const publishPlan = Effect.fn("Catalog.publishPlan")(function* (principal: Principal, id: string) {
    yield* requireCatalogWriter(principal)
    return yield* transactor.withTransaction(Effect.gen(function* () {
      if (!(yield* plans.lock(id))) return yield* NotFound.of("plan", id)
      const latest = yield* findPlan(id)
      if (latest.status !== "draft") {
        return yield* new InvalidState({
          message: `plan ${id} has no draft to publish: its latest version (${latest.version}) is ${latest.status}; ` +
            "change the plan (PUT) to make a new draft version"
        })
      }
      yield* checkPlan(latest, latest.id)
      return yield* plans.publish(id, latest.version, yield* now)
    }))
  })

  // Catalog files -----------------------------------------------------------------------------

  const runImport = makeImporter({
    findProductByName: products.findByName,
    findSkuByCode: skus.findByCode,
    findPlanByName: plans.findByName,
    createProduct,
    updateProduct,
    createSku,
    updateSku,
    createPlan,
    updatePlan,
    publishPlan
  })

  /**
   * Creates or updates the file's SKUs (by code), products (by name) and plans (by name), in one
   * transaction: all of it or nothing. What already matches the file is left alone, so importing
   * the same file again changes nothing. `onItem` hears about each item as it is done.
   */
  const importCatalog = <R = never>(
    principal: Principal,
    file: CatalogFile,
    onItem?: (item: ImportItem) => Effect.Effect<void, never, R>
  ) =>
    Effect.zipRight(
      requireCatalogWriter(principal),
      transactor.withTransaction(runImport(principal, file, onItem))
    ).pipe(Effect.withSpan("Catalog.importCatalog"))

  return {
    createProduct,
    listProducts,
    getProduct,
    updateProduct,
    listCountries,
    getCountry,
    listCities,
    getCity,
    createSku,
    listSkus,
    getSku,
    updateSku,
    quoteSku,
    createPlan,
    listPlans,
    getPlan,
    updatePlan,
    publishPlan,
    importCatalog
  } as const
})

export class Catalog extends Context.Tag("@provisio/core/Catalog")<Catalog, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Catalog, make)
}
