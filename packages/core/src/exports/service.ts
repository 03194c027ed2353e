import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Principal } from "../identity/model.js"
import { requireKind } from "../identity/policy.js"
import type { BillingMonth } from "../invoices/model.js"
import type { PersistenceError } from "../shared/errors.js"
import { exportFilename, formatRows, mediaType, preamble } from "./format.js"
import { EXPORT_COLUMNS, type ExportBatch, type ExportFormat, type ExportKey, type ExportKind, type ExportRow } from "./model.js"
import { ExportSource } from "./ports.js"
import { allocateByDay } from "./rated-usage.js"

export interface ExportRequest {
  readonly kind: ExportKind
  readonly period: BillingMonth
  readonly format: ExportFormat
}

/** An export ready to send: its name and media type, and its text as it is read, batch by batch. */
export interface ExportDownload {
  readonly filename: string
  readonly contentType: string
  /** The header (CSV), then one piece per batch of rows. */
  readonly text: Stream.Stream<string, PersistenceError>
  /** The same batches as rows, for who counts them (the CLI's progress bar). */
  readonly batches: Stream.Stream<ReadonlyArray<ExportRow>, PersistenceError>
}

/** Commission entries are the channel's business, as the summary is (commissions/service.ts). */
const CHANNEL = ["platform", "distributor", "partner"] as const

export const make = Effect.gen(function* () {
  const source = yield* ExportSource

  const batchOf = (kind: ExportKind, period: BillingMonth, within: string, after: ExportKey | null) => {
    const query = { period, within, after }
    switch (kind) {
      case "invoices":
        return source.invoices(query)
      case "invoice-lines":
        return source.invoiceLines(query)
      case "commissions":
        return source.commissions(query)
      case "rated-usage":
        return Effect.map(source.ratedUsage(query), (batch): ExportBatch<ExportRow> => ({
          rows: batch.rows.flatMap(allocateByDay),
          next: batch.next
        }))
    }
  }

  /**
   * The export's rows in batches, each read by a query of its own when the stream is pulled: a
   * slow reader holds no connection and no more than one batch in memory.
   */
  const batches = (principal: Principal, kind: ExportKind, period: BillingMonth) =>
    Effect.as(
      kind === "commissions" ? requireKind(principal, CHANNEL, "export commissions") : Effect.void,
      Stream.paginateChunkEffect(null as ExportKey | null, (after) =>
        Effect.map(batchOf(kind, period, principal.account_id, after), (batch) =>
          [Chunk.of(batch.rows), Option.fromNullable(batch.next)] as const
        )).pipe(Stream.filter((rows) => rows.length > 0))
    )

  /** The caller's export (its own account's rows and those below it), as text in `format`. */
  const download = Effect.fn("Exports.download")(function* (principal: Principal, request: ExportRequest) {
    const rows = yield* batches(principal, request.kind, request.period)
    const columns = EXPORT_COLUMNS[request.kind]
    return {
      filename: exportFilename(request.kind, request.period, request.format),
      contentType: mediaType(request.format),
      text: Stream.concat(
        Stream.make(preamble(request.format, columns)),
        Stream.map(rows, (batch) => formatRows(request.format, columns, batch))
      ).pipe(Stream.filter((text) => text.length > 0)),
      batches: rows
    } satisfies ExportDownload
  })

  /** How many rows the caller's export has now: what a progress bar counts towards. */
  const count = Effect.fn("Exports.count")(function* (principal: Principal, kind: ExportKind, period: BillingMonth) {
    if (kind === "commissions") yield* requireKind(principal, CHANNEL, "export commissions")
    return yield* source.count(kind, { period, within: principal.account_id, after: null })
  })

  return { download, count } as const
})

export class Exports extends Context.Tag("@provisio/core/Exports")<Exports, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Exports, make)
}
