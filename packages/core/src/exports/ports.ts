import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { PersistenceError } from "../shared/errors.js"
import type { ExportBatch, ExportKind, ExportQuery, ExportRow, RatedUsageLine } from "./model.js"

/**
 * Where exports read from: each call one short keyset query of at most a few thousand rows,
 * so a long export never holds a connection between batches (the embedded database has one).
 */
export class ExportSource extends Context.Tag("@provisio/core/ExportSource")<ExportSource, {
  readonly invoices: (query: ExportQuery) => Effect.Effect<ExportBatch<ExportRow>, PersistenceError>
  readonly invoiceLines: (query: ExportQuery) => Effect.Effect<ExportBatch<ExportRow>, PersistenceError>
  readonly ratedUsage: (query: ExportQuery) => Effect.Effect<ExportBatch<RatedUsageLine>, PersistenceError>
  readonly commissions: (query: ExportQuery) => Effect.Effect<ExportBatch<ExportRow>, PersistenceError>
  /** How many rows the export will have (for progress); `query.after` is ignored. */
  readonly count: (kind: ExportKind, query: ExportQuery) => Effect.Effect<number, PersistenceError>
}>() {}
