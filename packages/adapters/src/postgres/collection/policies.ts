import * as SqlClient from "@effect/sql/SqlClient"
import { DunningStageRule, type DunningRules, type StoredDunningPolicy } from "@provisio/core/collection/model"
import { DunningPolicyRepo } from "@provisio/core/collection/ports"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pgArray } from "../arrays.js"
import { parseJson } from "../json.js"
import { orPersistenceError } from "../persistence.js"

const Stages = Schema.Array(DunningStageRule)

/** Dunning policies, one row per account that set its own. */
export const DunningPolicyRepoLive = Layer.effect(
  DunningPolicyRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const among = (accountIds: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        if (accountIds.length === 0) return []
        const rows = yield* sql<{
          readonly account_id: string
          readonly retry_days: ReadonlyArray<number | string>
          readonly stages: unknown
          readonly bill_while_suspended: boolean
        }>`select account_id, retry_days, stages, bill_while_suspended
             from dunning_policies where account_id = any(${pgArray([...new Set(accountIds)])}::text[])`
        return yield* Effect.forEach(rows, (row) =>
          Effect.map(Schema.decodeUnknown(Stages)(parseJson(row.stages)), (stages): StoredDunningPolicy => ({
            account_id: row.account_id,
            retry_days: row.retry_days.map(Number),
            stages,
            bill_while_suspended: row.bill_while_suspended
          })))
      })

    // The lineage runs from the platform down: the deepest account with a policy wins.
    const nearest = (lineage: ReadonlyArray<string>) =>
      Effect.map(among(lineage), (found) => {
        const byAccount = new Map(found.map((policy) => [policy.account_id, policy]))
        for (let i = lineage.length - 1; i >= 0; i--) {
          const policy = byAccount.get(lineage[i]!)
          if (policy !== undefined) return Option.some(policy)
        }
        return Option.none<StoredDunningPolicy>()
      })

    const save = (accountId: string, rules: DunningRules, at: DateTime.Utc) =>
      Effect.gen(function* () {
        const stages = JSON.stringify(yield* Schema.encode(Stages)(rules.stages))
        const iso = DateTime.formatIso(at)
        yield* sql`
          insert into dunning_policies (account_id, retry_days, stages, bill_while_suspended, created_at, updated_at)
          values (${accountId}, ${pgArray(rules.retry_days.map(String))}::integer[], ${stages}::jsonb,
                  ${rules.bill_while_suspended}, ${iso}, ${iso})
          on conflict (account_id) do update
            set retry_days = excluded.retry_days, stages = excluded.stages,
                bill_while_suspended = excluded.bill_while_suspended, updated_at = excluded.updated_at`
      })

    return DunningPolicyRepo.of({
      nearest: (lineage) => orPersistenceError(nearest(lineage)),
      save: (accountId, rules, at) => orPersistenceError(save(accountId, rules, at)),
      among: (accountIds) => orPersistenceError(among(accountIds))
    })
  })
)
