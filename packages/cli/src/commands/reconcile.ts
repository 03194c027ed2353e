import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazily } from "../lazy.js"

const file = Args.file({ name: "file", exists: "yes" }).pipe(
  Args.withDescription(
    "A camt.053 bank statement (.xml, ISO 20022 camt.053.001.02 to .08), or a .csv file whose first line names " +
      "the columns date, amount, currency, reference, counterparty"
  )
)
const account = Options.text("account").pipe(
  Options.withDescription(
    "Import as this distributor or partner (acc_...): its invoices are the ones matched. Default: the platform"
  ),
  Options.optional
)

const importCommand = Command.make(
  "import",
  { file, account },
  lazily(() => import("../reconciliation/import-file.js"), (m) => m.importStatement)
).pipe(
  Command.withDescription(
    "Import a bank statement, with a progress line: transfers whose reference names an invoice pay it (an excess " +
      "becomes credit), a return reverses the payment it gives back, and the lines that matched nothing are listed " +
      "for assigning. Importing the same statement again changes nothing"
  )
)

export const reconcile = Command.make("reconcile").pipe(
  Command.withDescription("Bank-transfer reconciliation"),
  Command.withSubcommands([importCommand])
)
