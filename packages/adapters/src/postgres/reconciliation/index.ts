import * as SqlClient from "@effect/sql/SqlClient"
import { ReconciliationRepo } from "@provisio/core/reconciliation/ports"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { makeReads } from "./read.js"
import { makeWrites } from "./write.js"

/** The reconciliation's repository: reads (read.ts) and writes (write.ts) on one `SqlClient`. */
export const ReconciliationRepoLive = Layer.effect(
  ReconciliationRepo,
  Effect.map(SqlClient.SqlClient, (sql) => ReconciliationRepo.of({ ...makeReads(sql), ...makeWrites(sql) }))
)
