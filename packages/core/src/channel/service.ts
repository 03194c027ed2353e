import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Account, Principal } from "../identity/model.js"
import { canReach, requireKind } from "../identity/policy.js"
import { AccountRepo } from "../identity/ports.js"
import { NotFound, ValidationError } from "../shared/errors.js"
import type { PageRequest } from "../shared/pagination.js"
import { ChannelMargins, type MarginsQuery, type UpstreamInvoiceFilter } from "./model.js"
import { marginRows, monthModel } from "./margins.js"
import { MarginRepo, UpstreamInvoiceRepo } from "./ports.js"
import { makeUpstreamInvoices } from "./upstream-invoices.js"

/** The channel's economics are the channel's own: customers have no view of them. */
const CHANNEL = ["platform", "distributor", "partner"] as const

/**
 * Margins and upstream invoices (docs/channel.md). A caller sees the margins of its own account
 * and of the accounts below it; a tier above or beside it reads as missing (404), so a partner
 * never learns its distributor's cost.
 */
export const make = Effect.gen(function* () {
  const accounts = yield* AccountRepo
  const margins = yield* MarginRepo
  const upstream = yield* UpstreamInvoiceRepo
  const asInvoices = yield* makeUpstreamInvoices

  const findAccount = (principal: Principal, id: string, field: string, kind: Account["kind"]) =>
    accounts.findById(id).pipe(
      Effect.flatMap((found) =>
        Option.isSome(found) && found.value.kind === kind && canReach(principal, found.value.lineage)
          ? Effect.succeed(found.value)
          : Effect.fail(new NotFound({ field, message: `${kind} ${id} not found` }))
      )
    )

  const getMargins = Effect.fn("Channel.getMargins")(function* (principal: Principal, query: MarginsQuery) {
    yield* requireKind(principal, CHANNEL, "read margins")
    if (query.partner_id !== undefined && query.distributor_id !== undefined) {
      return yield* ValidationError.of("distributor_id", "give partner_id or distributor_id, not both")
    }
    if (query.partner_id === undefined && query.distributor_id === undefined) {
      return yield* ValidationError.of("partner_id", "is required (or distributor_id)")
    }
    const account = query.partner_id !== undefined
      ? yield* findAccount(principal, query.partner_id, "partner_id", "partner")
      : yield* findAccount(principal, query.distributor_id!, "distributor_id", "distributor")
    // The month as it was invoiced, whatever the partner's channel_model says today (docs/channel.md
    // "Margins"): what it issued itself it sold as a reseller (the lines, its cost rows); what its
    // distributor issued for its customers it sold as an agent (its commission, no rows). Three
    // statements whatever the month holds; a distributor is never an agent.
    const isPartner = account.kind === "partner"
    const [revenue, cost, commission] = yield* Effect.all([
      margins.revenue(account.id, query.period),
      margins.cost(account.id, query.period),
      isPartner ? margins.commission(account.id, query.period) : Effect.succeed([])
    ])
    const { currency, rows, totals } = marginRows(revenue, cost, commission)
    return new ChannelMargins({
      period: query.period,
      account_id: account.id,
      channel_model: isPartner
        ? monthModel(revenue.length > 0 || cost.length > 0, commission.length > 0, account.channel_model ?? "reseller")
        : account.channel_model,
      currency,
      rows,
      totals
    })
  })

  /** The upstream invoices the caller's account issued or is billed, and those of the accounts below it. */
  const listUpstreamInvoices = (principal: Principal, filter: UpstreamInvoiceFilter, page: PageRequest) =>
    Effect.zipRight(
      requireKind(principal, CHANNEL, "read upstream invoices"),
      Effect.map(
        upstream.list(principal.account_id, { period: filter.period, newest_first: true }, page),
        (found) => ({ ...found, items: found.items.map((s) => s.invoice) })
      )
    )

  const getUpstreamInvoice = (principal: Principal, id: string) =>
    Effect.zipRight(requireKind(principal, CHANNEL, "read upstream invoices"), asInvoices.getInvoice(principal, id))

  return {
    getMargins,
    listUpstreamInvoices,
    getUpstreamInvoice,
    /** `POST /payments` for an upstream invoice: `isUpstreamInvoice` tells which. */
    isUpstreamInvoice: asInvoices.isUpstream,
    recordUpstreamPayment: asInvoices.recordPayment
  } as const
})

export class Channel extends Context.Tag("@provisio/core/Channel")<Channel, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Channel, make)
}
