import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { lazily } from "../lazy.js"

const file = Args.file({ name: "catalog.json", exists: "yes" }).pipe(
  Args.withDescription("A catalog file: skus, products and plans (see examples/catalog.json)")
)

const importCommand = Command.make("import", { file }, lazily(() => import("../catalog/import-file.js"), (m) => m.importCatalog)).pipe(
  Command.withDescription(
    "Create or update SKUs (by code), products (by name) and plans (by name) from a catalog file, all or " +
      "nothing; what already matches is left alone, so importing a file again changes nothing"
  )
)

export const catalog = Command.make("catalog").pipe(
  Command.withDescription("Manage the product catalog"),
  Command.withSubcommands([importCommand])
)
