import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazily } from "../lazy.js"

const file = Args.file({ name: "file.csv", exists: "yes" }).pipe(
  Args.withDescription("A CSV file whose first line names the columns: number, country, and optionally product_id and city")
)

const product = Options.text("product").pipe(
  Options.withDescription("The product (prd_...) of rows that name none"),
  Options.optional
)

const importCommand = Command.make("import", { file, product }, lazily(() => import("../numbers/import-file.js"), (m) => m.importNumbers)).pipe(
  Command.withDescription(
    "Add the numbers of a CSV file to the inventory as available, in batches of 5,000; numbers already " +
      "there are counted, not added again; bad rows are listed with their line and reason"
  )
)

export const numbers = Command.make("numbers").pipe(
  Command.withDescription("Manage the number inventory"),
  Command.withSubcommands([importCommand])
)
