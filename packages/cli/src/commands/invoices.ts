import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazily } from "../lazy.js"

const period = Options.text("period").pipe(Options.withDescription("The month whose invoices to export, YYYY-MM (e.g. 2026-11)"))
const format = Options.choice("format", ["pdf", "ubl"] as const).pipe(
  Options.withDescription("pdf: the invoices as people read them; ubl: UBL 2.1 e-invoices (Peppol BIS Billing 3.0)")
)
const out = Options.directory("out").pipe(Options.withDescription("The folder to write into (made if missing)"))
const account = Options.text("account").pipe(
  Options.withDescription("Export as this distributor or partner (acc_...): the invoices it and its channel issued. Default: the platform"),
  Options.optional
)

const exportCommand = Command.make(
  "export",
  { period, format, out, account },
  lazily(() => import("../documents/export.js"), (m) => m.exportInvoices)
).pipe(
  Command.withDescription(
    "Write the document of every invoice issued for a month (finalized or paid) into a folder, one file per invoice " +
      "named by its number, with a progress bar. The same invoice always gives the same bytes"
  )
)

export const invoices = Command.make("invoices").pipe(
  Command.withDescription("Invoices and their documents"),
  Command.withSubcommands([exportCommand])
)
