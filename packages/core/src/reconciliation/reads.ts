import * as Effect from "effect/Effect"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireKind } from "../identity/policy.js"
import type { PageRequest } from "../shared/pagination.js"
import type { ReconciliationDeps } from "./deps.js"
import { CHANNEL } from "./imports.js"

/**
 * Statements are the issuing side's bank data: its admins, managers and viewers read those its
 * account and the accounts below it imported; a customer reads none.
 */
export const makeReads = ({ repo }: ReconciliationDeps) => {
  const listStatements = (principal: Principal, page: PageRequest) =>
    Effect.zipRight(
      requireKind(principal, CHANNEL, "read bank statements"),
      repo.listStatements(principal.account_id, page)
    )

  const getStatement = (principal: Principal, id: string) =>
    Effect.zipRight(
      requireKind(principal, CHANNEL, "read bank statements"),
      repo.findStatement(id).pipe(reachableBy(principal, "statement", id), Effect.map((stored) => stored.statement))
    )

  return { listStatements, getStatement } as const
}
