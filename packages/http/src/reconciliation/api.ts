import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { AssignLine, Statement, StatementId, StatementLine, StatementLineId } from "@provisio/core/reconciliation/model"
import * as Schema from "effect/Schema"
import { Envelope, PageEnvelope } from "../envelope.js"
import { InvalidStateError } from "../errors.js"
import { Authentication } from "../middleware/authentication.js"
import { PageQuery } from "../pagination.js"
import { PathParam } from "../path-params.js"

const StatementPath = Schema.Struct({ statementId: PathParam(StatementId) })
const LinePath = Schema.Struct({ lineId: PathParam(StatementLineId) })

/** The content types a statement is sent in (the input boundary reads these bodies as text). */
export const STATEMENT_CONTENT_TYPES = ["application/xml", "text/xml", "text/csv"] as const

/**
 * A statement as sent: CSV arrives as its text, camt.053 XML as its bytes (HttpApi hands a body
 * of a type outside `text/*` over as bytes); the handler tells the formats apart by that.
 */
export const StatementBody = Schema.Union(
  HttpApiSchema.Text({ contentType: "text/csv" }).annotations({
    description: "A CSV statement: the first line names the columns date,amount,currency,reference,counterparty"
  }),
  HttpApiSchema.Uint8Array({ contentType: "application/xml" }).annotations({
    description: "A camt.053 statement (ISO 20022 BankToCustomerStatement, camt.053.001.02 to .08), UTF-8"
  })
)

const WHO = "Admins and managers of the platform, a distributor or a partner (viewers read; customers may not)."

export class ReconciliationApi extends HttpApiGroup.make("reconciliation")
  .add(
    HttpApiEndpoint.post("importStatement", "/reconciliation/statements")
      .setPayload(StatementBody)
      .addSuccess(Envelope(Statement), { status: 201 })
      .addSuccess(Envelope(Statement), { status: 200 })
      .annotate(
        OpenApi.Description,
        "Imports a bank statement: camt.053 XML (`Content-Type: application/xml`) or CSV (`text/csv`, columns " +
          "`date,amount,currency,reference,counterparty`, amounts negative for money paid out), and answers 201 with " +
          "the statement (`stm_`) and a line (`stl_`) per transaction (a batch booking's `TxDtls` each make one). A " +
          "credit whose reference names an invoice of the caller's scope (its number, or the creditor reference `RF..` " +
          "made from it) in the same currency pays it (gateway `bank_transfer`, events `payment.succeeded`, " +
          "`invoice.paid`): `matched` when it settles the invoice (an excess becomes a credit note), `partial` when it " +
          "pays less. A credit that names no payable invoice is `unmatched` (assign it); a debit is `ignored`, except a " +
          "return (`RvslInd`) of a credit booked before, which reverses that credit's payment (event " +
          "`payment.reversed`). Transactions are keyed by the bank's references: one booked before, in any statement, " +
          "is `ignored`; the same statement again answers 200 with the first import, changing nothing. A body that is " +
          `not a statement is 422 naming the field or line, and nothing is stored. ${WHO}`
      )
  )
  .add(
    HttpApiEndpoint.get("listStatements", "/reconciliation/statements")
      .setUrlParams(PageQuery)
      .addSuccess(PageEnvelope(Statement))
      .annotate(
        OpenApi.Description,
        "The statements imported by the caller's account and the accounts below it, oldest first, each with its " +
          `lines. ${WHO}`
      )
  )
  .add(
    HttpApiEndpoint.get("getStatement", "/reconciliation/statements/:statementId")
      .setPath(StatementPath)
      .addSuccess(Envelope(Statement))
      .annotate(OpenApi.Description, `A statement with its lines. Outside the caller's scope it answers 404. ${WHO}`)
  )
  .add(
    HttpApiEndpoint.post("assignLine", "/reconciliation/lines/:lineId/assign")
      .setPath(LinePath)
      .setPayload(AssignLine)
      .addSuccess(Envelope(StatementLine))
      .addError(InvalidStateError)
      .annotate(
        OpenApi.Description,
        "Pays the invoice `invoice_id` (finalized, owing money, in the line's currency, in the caller's scope; else " +
          "422 naming it, or 409 when it is paid, void or a draft) with an `unmatched` credit line, as an import's " +
          "match would, and answers the line, now `matched` or `partial`. A line that moved money already, a debit " +
          `or a return is 409 invalid_state. ${WHO}`
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
