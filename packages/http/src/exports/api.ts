import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { ExportFormat, ExportKind } from "@provisio/core/exports/model"
import { BillingMonth } from "@provisio/core/invoices/model"
import * as Schema from "effect/Schema"
import { Authentication } from "../middleware/authentication.js"
import { PathParam } from "../path-params.js"

/** An export is text, not the JSON envelope: CSV by default, NDJSON on `format=ndjson`. */
export const CsvBody = HttpApiSchema.Text({ contentType: "text/csv" })

// A kind that is not one of the four names no export: 404, as any malformed path parameter.
const ExportPath = Schema.Struct({ kind: PathParam(ExportKind) })

export const ExportParams = Schema.Struct({
  period: BillingMonth,
  format: Schema.optional(ExportFormat)
})

/** HttpApi documents one media type per answer: the NDJSON form is added beside the CSV. */
const withNdjson = (operation: Record<string, any>) => {
  const content = operation["responses"]?.["200"]?.content
  if (content !== undefined) content["application/x-ndjson"] = { schema: { type: "string" } }
  return operation
}

export class ExportsApi extends HttpApiGroup.make("exports")
  .add(
    HttpApiEndpoint.get("getExport", "/exports/:kind")
      .setPath(ExportPath)
      .setUrlParams(ExportParams)
      .addSuccess(CsvBody)
      .annotate(
        OpenApi.Description,
        "A month of the caller's data for finance and ERP systems, streamed as it is read (constant memory " +
          "whatever the month's size): `invoices` (one row per invoice), `invoice-lines` (one per line), " +
          "`rated-usage` (per subscription, SKU and UTC day: quantity and its share of the usage line's rated " +
          "amount, so a line's days sum to the line) or `commissions` (one row per commission entry: a line of a " +
          "finalized or paid invoice for each distributor or partner above its customer; channel accounts only, " +
          "customers get 403). `format=csv` (the default: RFC 4180, a header line) or `ndjson` (one JSON object a " +
          "line, decimals as strings). The caller sees its own account's rows and those below it, like the lists. " +
          "The columns, their order and types are documented in docs/exports.md; columns are only ever added at the end."
      )
      .annotate(OpenApi.Transform, withNdjson)
  )
  .middleware(Authentication)
  .prefix("/api/v1")
{}
