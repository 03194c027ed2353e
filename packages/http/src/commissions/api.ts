import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import {
  CommissionRule,
  CommissionRuleId,
  CommissionStatement,
  CommissionStatementId,
  CommissionSummary,
  CreateCommissionRule
} from "@provisio/core/commissions/model"
import { BillingMonth } from "@provisio/core/invoices/model"
import * as Schema from "effect/Schema"
import { Envelope, NoBody, PageEnvelope } from "../envelope.js"
import { InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"
import { AccountId } from "@provisio/core/identity/model"

const RulePath = Schema.Struct({ ruleId: PathParam(CommissionRuleId) })

export const CommissionRuleListQuery = Schema.Struct({
  ...PageQuery.fields,
  account_id: Schema.optional(AccountId)
})

export const CommissionSummaryParams = Schema.Struct({
  period: BillingMonth,
  partner_id: Schema.optional(AccountId),
  distributor_id: Schema.optional(AccountId)
})

export const CommissionStatementParams = Schema.Struct({
  ...PageQuery.fields,
  period: BillingMonth,
  account_id: Schema.optional(AccountId)
})

const StatementPath = Schema.Struct({ statementId: PathParam(CommissionStatementId) })

const CHANNEL_ONLY = "Customers may not call it (403)."

export class CommissionsApi extends HttpApiGroup.make("commissions")
  .add(
    HttpApiEndpoint.get("listCommissionRules", "/commissions/rules")
      .setUrlParams(CommissionRuleListQuery)
      .addSuccess(PageEnvelope(CommissionRule))
      .annotate(
        OpenApi.Description,
        `The commission rules of the caller's account and of the accounts below it, oldest first. ${CHANNEL_ONLY}`
      )
  )
  .add(
    HttpApiEndpoint.post("createCommissionRule", "/commissions/rules")
      .setPayload(CreateCommissionRule)
      .addSuccess(Envelope(CommissionRule), { status: 201 })
      .annotate(
        OpenApi.Description,
        "Gives a distributor or partner (`account_id`) a percentage of the net billed revenue of the customers " +
          "below it, for every line or only those of `product_id` / `plan_id`, from `effective_from` until the day " +
          "before `effective_to`. Set from above by an admin: the platform's for distributors and partners, a " +
          "distributor's for its partners; an account may not set its own (403). When several rules apply to a " +
          "line, the plan's wins over the product's over the general one, then the latest to start. Writes the " +
          `\`commission_rule.created\` event. ${CHANNEL_ONLY}`
      )
  )
  .add(
    HttpApiEndpoint.get("getCommissionRule", "/commissions/rules/:ruleId")
      .setPath(RulePath)
      .addSuccess(Envelope(CommissionRule))
  )
  .add(
    HttpApiEndpoint.get("getCommissionSummary", "/commissions/summary")
      .setUrlParams(CommissionSummaryParams)
      .addSuccess(Envelope(CommissionSummary))
      .annotate(
        OpenApi.Description,
        "For each distributor and partner of the caller's scope (or only `partner_id` or `distributor_id`, not " +
          "both), per currency: the net billed revenue of the month `period` (every line of the finalized and paid " +
          "invoices of that month of the customers below it, credits included, so it is the sum of those " +
          "invoices' totals), the commission (each line at the account's most specific rule in force on the " +
          "month's first day, none = 0%, rounded half-up once per account and currency), the invoices and the " +
          `revenue by rule. Accounts without revenue that month are left out. ${CHANNEL_ONLY}`
      )
  )
  .add(
    HttpApiEndpoint.get("getCommissionStatements", "/commissions/statements")
      .setUrlParams(CommissionStatementParams)
      .addSuccess(PageEnvelope(CommissionStatement))
      .annotate(
        OpenApi.Description,
        "The month's commission statements of the distributors and partners of the caller's scope (or only " +
          "`account_id`'s), one per account and currency, paged like every list (distributors first, then partners, by name): the summary's commission " +
          "(`total`), the net revenue it is on and the invoices counted. A statement is written the first time its " +
          "month is read; while `open` it follows the month's invoices, once `settled` it keeps the amounts it was " +
          "paid on. The commission entries export (`GET /exports/commissions`) names each entry's statement. " +
          CHANNEL_ONLY
      )
  )
  .add(
    HttpApiEndpoint.post("settleCommissionStatement", "/commissions/statements/:statementId/settle")
      .setPath(StatementPath)
      .setPayload(NoBody)
      .addSuccess(Envelope(CommissionStatement))
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "Finance marks the statement paid: its amounts are taken as of now and kept, `status` becomes `settled` " +
          "with `settled_at`, and the `commission_statement.settled` event is written. The commission is paid from " +
          "above, so an admin of an account above the payee settles it (the platform for anyone, a distributor for " +
          "its partners); the payee itself may not (403). A second settle is 409 invalid_state."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
