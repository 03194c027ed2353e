import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PriceModel } from "../catalog/pricing.js"
import type { PersistenceError } from "../shared/errors.js"
import type { Currency } from "../shared/money.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { PriceList, PriceRule } from "./model.js"
import type { ChainRow } from "./resolve.js"

/** A list and the lineage of its owner (for scope checks). */
export interface OwnedPriceList {
  readonly list: PriceList
  readonly owner_lineage: ReadonlyArray<string>
}

/** The price lists, their rules and assignments. */
export class PriceListRepo extends Context.Tag("@provisio/core/PriceListRepo")<PriceListRepo, {
  /** Lists owned by `ownerAccountId` exactly: an owner sees its own lists, never those above or beside it. */
  readonly list: (ownerAccountId: string, page: PageRequest) => Effect.Effect<Page<PriceList>, PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<OwnedPriceList>, PersistenceError>
  /** Inserts or replaces the list and its rules (not its assignments). */
  readonly save: (list: PriceList) => Effect.Effect<void, PersistenceError>
  readonly remove: (id: string) => Effect.Effect<boolean, PersistenceError>
  /** Replaces who the list is assigned to; the list's `updated_at` becomes `at`. */
  readonly assign: (
    id: string,
    assignment: { readonly all: boolean; readonly ids: ReadonlyArray<string> },
    at: DateTime.Utc
  ) => Effect.Effect<void, PersistenceError>
  /** The account's lineage and kind, when it exists. */
  readonly account: (id: string) => Effect.Effect<Option.Option<{ readonly kind: string; readonly lineage: ReadonlyArray<string> }>, PersistenceError>
  /** Of `ids`, those that are accounts directly below `ownerAccountId`. */
  readonly childAccounts: (ownerAccountId: string, ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  /** Of `ids`, those that are customers of the partner `ownerAccountId`. */
  readonly customersOf: (ownerAccountId: string, ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  /** Which of the rules' plans, SKUs and products exist: the first missing target's field, if any. */
  readonly missingTarget: (rules: ReadonlyArray<PriceRule>) => Effect.Effect<Option.Option<string>, PersistenceError>
}>() {}

/** One plan price to resolve: for a customer or an account, a plan version, on a day. */
export interface PlanPriceRequest {
  readonly subject_id: string
  readonly plan_id: string
  readonly plan_version: number
  /** YYYY-MM-DD. */
  readonly on_date: string
}

/** One usage SKU price to resolve. */
export interface SkuPriceRequest {
  readonly subject_id: string
  readonly sku_id: string
  readonly on_date: string
}

/** A resolved SKU tier: `ChainRow` with the SKU's price model at that tier instead of one price. */
export interface SkuChainRow {
  readonly buyer_id: string
  readonly price_list_id: string | null
  readonly model: PriceModel
}

/**
 * THE price resolution down the channel, in bulk (one query per call, never one per item): for
 * each request, every tier of the subject's lineage from the platform (the list price) down to
 * the subject, in order, each with what it buys at. Backed by the SQL functions
 * `channel_plan_prices` and `channel_sku_prices` (docs/channel.md); billing reads the subject's
 * row, upstream invoicing and margins the partner's and distributor's.
 */
export class PriceResolver extends Context.Tag("@provisio/core/PriceResolver")<PriceResolver, {
  /** The chains, in the requests' order (a request whose subject or plan version does not exist gets []). */
  readonly plans: (requests: ReadonlyArray<PlanPriceRequest>) => Effect.Effect<ReadonlyArray<{
    readonly currency: Currency
    readonly chain: ReadonlyArray<ChainRow>
  } | null>, PersistenceError>
  readonly skus: (requests: ReadonlyArray<SkuPriceRequest>) => Effect.Effect<ReadonlyArray<{
    readonly currency: Currency
    readonly chain: ReadonlyArray<SkuChainRow>
  } | null>, PersistenceError>
  /** The version of the plan new subscriptions get (the published one, else the latest), if the plan exists. */
  readonly currentVersion: (planId: string) => Effect.Effect<Option.Option<number>, PersistenceError>
}>() {}
