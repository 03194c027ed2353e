import * as SqlClient from "@effect/sql/SqlClient"
import type { DunningCandidate } from "@provisio/core/collection/dunning-plan"
import type { DunningStage } from "@provisio/core/collection/model"
import { DunningRepo } from "@provisio/core/collection/ports"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { pgArray } from "../arrays.js"
import { orPersistenceError } from "../persistence.js"

/**
 * Dunning's reads and writes. Candidates come from the invoices that are overdue (the partial
 * index on finalized invoices by `due_at`) and the customers that still have a stage, never from
 * a scan of every customer.
 */
export const DunningRepoLive = Layer.effect(
  DunningRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const lockCandidates = (at: DateTime.Utc, after: string | null, limit: number, only?: ReadonlyArray<string>) =>
      Effect.map(
        sql<{
          readonly id: string
          readonly lineage: ReadonlyArray<string>
          readonly dunning_stage: DunningStage | null
          readonly days_past_due: number | null
        }>`
          with overdue as (
            select i.customer_id,
                   max((${DateTime.formatIso(at)}::timestamptz at time zone c.timezone)::date - i.due_date) as days_past_due
              from invoices i join customers c on c.id = i.customer_id
             where i.status = 'finalized' and i.amount_due > 0 and not i.disputed
               and i.due_at < ${DateTime.formatIso(at)}
               and c.dunning = 'active' and c.id > ${after ?? ""}
               ${only === undefined ? sql`` : sql`and c.id = any(${pgArray(only)}::text[])`}
             group by i.customer_id
          ),
          staged as (
            select c.id as customer_id from customers c
             where c.dunning_stage is not null and c.dunning = 'active' and c.id > ${after ?? ""}
               ${only === undefined ? sql`` : sql`and c.id = any(${pgArray(only)}::text[])`}
          ),
          wanted as (
            select customer_id from overdue union select customer_id from staged
             order by customer_id limit ${limit}
          )
          select c.id, c.lineage, c.dunning_stage, o.days_past_due
            from customers c join wanted w on w.customer_id = c.id left join overdue o on o.customer_id = c.id
           order by c.id
             for update of c skip locked`,
        (rows) =>
          rows.map((row): DunningCandidate => ({
            customer_id: row.id,
            lineage: row.lineage,
            stage: row.dunning_stage,
            days_past_due: row.days_past_due === null ? null : Math.max(0, Number(row.days_past_due))
          }))
      )

    const setStages = (
      changes: ReadonlyArray<{ readonly customer_id: string; readonly to: DunningStage | null }>,
      at: DateTime.Utc
    ) =>
      changes.length === 0 ? Effect.void : Effect.asVoid(sql`
        update customers c
           set dunning_stage = s.stage, dunning_stage_at = ${DateTime.formatIso(at)}, updated_at = ${DateTime.formatIso(at)}
          from unnest(${pgArray(changes.map((c) => c.customer_id))}::text[], ${pgArray(changes.map((c) => c.to))}::text[])
                 as s(customer_id, stage)
         where c.id = s.customer_id`)

    return DunningRepo.of({
      lockCandidates: (at, after, limit, only) => orPersistenceError(lockCandidates(at, after, limit, only)),
      setStages: (changes, at) => orPersistenceError(setStages(changes, at))
    })
  })
)
