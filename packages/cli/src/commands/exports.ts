import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { ExportKind } from "@provisio/core/exports/model"
import { lazily } from "../lazy.js"

const period = Options.text("period").pipe(Options.withDescription("The month to export, YYYY-MM (e.g. 2026-11)"))
const format = Options.choice("format", ["csv", "ndjson"] as const).pipe(
  Options.withDescription("csv: RFC 4180 with a header line; ndjson: one JSON object a line"),
  Options.withDefault("csv" as const)
)
const out = Options.text("out").pipe(
  Options.withDescription("The file to write, or a folder (existing, or ending in /) to write provisio-<kind>-<period>.<format> into")
)
const account = Options.text("account").pipe(
  Options.withDescription("Export as this distributor or partner (acc_...): its rows and those below it. Default: the platform"),
  Options.optional
)

const DESCRIPTIONS: Record<ExportKind, string> = {
  "invoices": "One row per invoice of the month",
  "invoice-lines": "One row per invoice line of the month",
  "rated-usage": "Rated usage per subscription, SKU and UTC day (quantity and its share of the usage line's amount)",
  "commissions": "One row per commission entry: an invoice line for each distributor or partner above its customer"
}

const exportOf = (kind: ExportKind) =>
  Command.make(
    kind,
    { period, format, out, account },
    lazily(() => import("../exports/export.js"), (m) => m.exportCommandHandler(kind))
  ).pipe(Command.withDescription(`${DESCRIPTIONS[kind]}; columns in docs/exports.md. Streams with a progress bar`))

export const exportCommand = Command.make("export").pipe(
  Command.withDescription("Reconciliation exports for finance and ERP systems (CSV or NDJSON), read in batches with flat memory"),
  Command.withSubcommands([exportOf("invoices"), exportOf("invoice-lines"), exportOf("rated-usage"), exportOf("commissions")])
)
