import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Commissions } from "@provisio/core/commissions/service"
import { CommissionStatements } from "@provisio/core/commissions/statements"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const CommissionsHandlers = HttpApiBuilder.group(ProvisioApi, "commissions", (handlers) =>
  Effect.map(Effect.zip(Commissions, CommissionStatements), ([commissions, statements]) =>
    handlers
      .handle("listCommissionRules", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) => commissions.listRules(p, { account_id: urlParams.account_id }, page)))
      .handle("createCommissionRule", ({ payload }) => asCaller((p) => commissions.createRule(p, payload)))
      .handle("getCommissionRule", ({ path }) => asCaller((p) => commissions.getRule(p, path.ruleId)))
      .handle("getCommissionSummary", ({ urlParams }) =>
        asCaller((p) =>
          commissions.summary(p, {
            period: urlParams.period,
            partner_id: urlParams.partner_id,
            distributor_id: urlParams.distributor_id
          })))
      .handle("getCommissionStatements", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) => statements.list(p, { period: urlParams.period, account_id: urlParams.account_id }, page)))
      .handle("settleCommissionStatement", ({ path }) => asCaller((p) => statements.settle(p, path.statementId)))
  ))
