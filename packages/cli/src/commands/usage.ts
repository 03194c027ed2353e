import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { lazily } from "../lazy.js"

const file = Args.file({ name: "file", exists: "yes" }).pipe(
  Args.withDescription(
    "A .csv file whose first line names the columns transaction_id, subscription_id, sku_id, quantity, occurred_at; " +
      "or a .ndjson file with one such JSON object per line"
  )
)

const importCommand = Command.make("import", { file }, lazily(() => import("../usage/import-file.js"), (m) => m.importUsage)).pipe(
  Command.withDescription(
    "Report the usage records of a file, in batches of 1,000, with a progress line and a summary: records sent " +
      "before are counted as duplicates, not stored twice; rejected ones are listed with their line and reason"
  )
)

export const usage = Command.make("usage").pipe(
  Command.withDescription("Report metered usage"),
  Command.withSubcommands([importCommand])
)
