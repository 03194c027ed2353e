import * as FileSystem from "@effect/platform/FileSystem"
import { CatalogFile, type ImportItem, type ImportSummary } from "@provisio/core/catalog/catalog-file"
import { Catalog } from "@provisio/core/catalog/service"
import { Identity } from "@provisio/core/identity/service"
import { ValidationError } from "@provisio/core/shared/errors"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { AppLive } from "../database/layers.js"
import { bootstrap } from "../bootstrap.js"

/**
 * Reads a catalog file (examples/catalog.json): JSON decoded with the API's own schemas, so the
 * same rules and messages apply. A problem is one `ValidationError` naming where it is.
 */
export const loadCatalogFile = (path: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(
      Effect.mapError((error) => new ValidationError({ message: `cannot read ${path}: ${error.message}` }))
    )
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (error) => new ValidationError({ message: `${path} is not JSON: ${(error as Error).message}` })
    })
    return yield* Schema.decodeUnknown(CatalogFile)(json).pipe(
      Effect.mapError((error) => {
        const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
        const field = issue?.path.map((key) => typeof key === "number" ? `[${key}]` : `.${String(key)}`).join("")
          .replace(/^\./, "")
        return new ValidationError({ field: field || undefined, message: issue?.message ?? error.message })
      })
    )
  })

const line = (item: ImportItem) =>
  `${item.outcome.padEnd(9)} ${item.kind.padEnd(7)} ${item.key} (${item.id}${item.detail ? `, ${item.detail}` : ""})`

/**
 * The command's work on whatever database the context has: loads the file and imports it as the
 * platform operator, one line per item as it is done (to `print`), then a summary.
 */
export const importCatalogFile = (path: string, print: (line: string) => Effect.Effect<void> = Console.log) =>
  Effect.gen(function* () {
    const file = yield* loadCatalogFile(path)
    const identity = yield* Identity
    const catalog = yield* Catalog
    const operator = yield* identity.platformOperator
    const total = file.skus.length + file.products.length + file.plans.length
    let done = 0
    const summary: ImportSummary = yield* catalog.importCatalog(operator, file, (item) =>
      print(`[${String(++done).padStart(String(total).length)}/${total}] ${line(item)}`))
    yield* print(
      `${path}: ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged`
    )
    return summary
  })

/** `provisio catalog import`: bootstraps an empty database first. */
export const importCatalog = ({ file }: { readonly file: string }) =>
  Effect.gen(function* () {
    yield* bootstrap
    yield* importCatalogFile(file)
  }).pipe(Effect.provide(AppLive))
