import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { EventLog } from "../events/ports.js"
import type { Principal } from "../identity/model.js"
import type { BillingMonth } from "../invoices/model.js"
import { Invoices } from "../invoices/service.js"
import { Transactor } from "../shared/transactor.js"
import type { TaxCalculator } from "../tax/ports.js"
import type { ChannelCostRepo, UpstreamInvoiceRepo } from "../channel/ports.js"
import { finalize, finalizeDue } from "./finalization.js"
import type { BillingRun } from "./model.js"
import type { BillingInputRepo, BillingInvoiceRepo, BillingRunRepo } from "./ports.js"
import { preview } from "./preview.js"
import { rerate } from "./rerate.js"
import type { PageRequest } from "../shared/pagination.js"
import { type ExecuteOptions, executeRun, getRun, listRuns, startRun } from "./runs.js"

export { CHUNK_SIZE } from "./config.js"
export { HEARTBEAT_TIMEOUT, parseGracePeriod } from "./runs.js"

/**
 * Billing, one file per job: runs.ts (the queue of a run's chunks and its executors), chunk.ts
 * (one chunk: read, plan.ts, write), rerate.ts (drafts re-rated when late usage arrives),
 * finalization.ts (drafts finalized now or when their grace period ends, through `Invoices`),
 * preview.ts (the upcoming invoice). Here they are put together as one service whose methods
 * need nothing: the repositories they use are given once, when the layer is built.
 */
type Dependencies =
  | BillingRunRepo
  | BillingInputRepo
  | BillingInvoiceRepo
  | Invoices
  | EventLog
  | Transactor
  | TaxCalculator
  | ChannelCostRepo
  | UpstreamInvoiceRepo

export const make = Effect.gen(function* () {
  const context = yield* Effect.context<Dependencies>()
  const given = <A, E>(effect: Effect.Effect<A, E, Dependencies>) =>
    Effect.provide(effect, context)
  return {
    startRun: (principal: Principal, input: { readonly period: BillingMonth; readonly grace_period?: string | number | undefined }) =>
      given(startRun(principal, input)),
    getRun: (principal: Principal, id: string) => given(getRun(principal, id)),
    listRuns: (principal: Principal, page: PageRequest) => given(listRuns(principal, page)),
    executeRun: (runId: string, onProgress?: (run: BillingRun) => Effect.Effect<void>, options?: ExecuteOptions) =>
      given(executeRun(runId, onProgress, options)),
    rerate: (invoiceIds: ReadonlyArray<string>) => given(rerate(invoiceIds)),
    finalize: (principal: Principal, invoiceId: string) => given(finalize(principal, invoiceId)),
    finalizeDue: given(finalizeDue),
    preview: (principal: Principal, customerId: string) => given(preview(principal, customerId))
  } as const
})

/**
 * Billing: runs that turn subscription periods, usage and one-off purchases into draft invoices
 * (exactly once per period), re-rating of drafts when late usage arrives, finalization of drafts
 * (now, or when their grace period ends) through `Invoices`, and the upcoming-invoice preview.
 */
export class Billing extends Context.Tag("@provisio/core/Billing")<Billing, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Billing, make)
}
