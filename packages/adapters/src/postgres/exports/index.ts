import * as SqlClient from "@effect/sql/SqlClient"
import { ExportSource } from "@provisio/core/exports/ports"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { commissionBatch } from "./commissions.js"
import { exportCount } from "./counts.js"
import { invoiceBatch, invoiceLineBatch } from "./invoices.js"
import { ratedUsageBatch } from "./rated-usage.js"

/** The exports' reads on PostgreSQL (or the embedded database): keyset batches, one short query each. */
export const ExportSourceLive = Layer.effect(
  ExportSource,
  Effect.map(SqlClient.SqlClient, (sql) =>
    ExportSource.of({
      invoices: (query) => invoiceBatch(sql, query),
      invoiceLines: (query) => invoiceLineBatch(sql, query),
      ratedUsage: (query) => ratedUsageBatch(sql, query),
      commissions: (query) => commissionBatch(sql, query),
      count: (kind, query) => exportCount(sql, kind, query)
    }))
)
