import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { call, expectData, TestServer } from "../../http/test/harness"
import { IMPORT_CHUNK, importNumbersFile } from "../src/numbers/import-file"

const V1 = "/api/v1"

/** A CSV file with the given lines, in a fresh temp folder. */
const writeCsv = (lines: ReadonlyArray<string>) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-numbers-"))
  const file = path.join(dir, "numbers.csv")
  fs.writeFileSync(file, `${lines.join("\n")}\n`)
  return file
}

/** The command's own work (`provisio numbers import`), its output kept instead of printed. */
const runImport = (file: string, product?: string, tty = false) =>
  Effect.gen(function* () {
    let text = ""
    const summary = yield* importNumbersFile(file, {
      product,
      output: { tty, write: (chunk) => Effect.sync(() => void (text += chunk)) }
    })
    return { summary, text }
  })

let products = 0
const numberProduct = Effect.suspend(() =>
  call("POST", `${V1}/products`, {
    body: {
      name: `Import numbers ${++products}`,
      type: "phone_number",
      availability: [{ country: "DE", city: "Berlin" }, { country: "US" }]
    }
  })
).pipe(Effect.map((answer) => expectData(answer, 201).id as string))

const search = (query: string) =>
  Effect.map(call("GET", `${V1}/numbers?${query}&limit=200`), (answer) => expectData(answer).map((n: any) => n.number))

describe("provisio numbers import", () => {
  it.layer(Layer.merge(TestServer, NodeContext.layer))("CSV files", (it) => {
    it.effect("adds the good rows, counts those already present, rejects bad rows with line and reason", () =>
      Effect.gen(function* () {
        const product = yield* numberProduct
        const other = yield* numberProduct
        expectData(yield* call("POST", `${V1}/numbers`, {
          body: { product_id: product, country: "DE", city: "Berlin", numbers: ["+493055500002"] }
        }), 201)
        const file = writeCsv([
          "number,product_id,country,city",
          "+493055500001,,DE,Berlin", // line 2
          "+493055500002,,DE,Berlin", // already present
          "+493055500001,,DE,berlin", // listed twice
          "+4930555,,DE,Berlin", // too short
          `+12125550100,${other},us,`, // the row's own product, country in lower case
          "+12125550101,prd_nosuchproduct,US,",
          "+12125550102,,US,Boston", // not a city of the product
          "+12125550103,,FR,",
          "\"+493055500003\",,DE,Berlin", // quoted
          "",
          "+493055500004,,XX,Berlin"
        ])
        const { summary, text } = yield* runImport(file, product)
        expect(summary).toMatchObject({ rows: 10, added: 3, already_present: 2 })
        expect(summary.rejected.map((row) => [row.line, row.field])).toEqual([
          [5, "number"],
          [7, "product_id"],
          [8, "city"],
          [9, "country"],
          [12, "country"]
        ])
        expect(text).toContain(`${file}: 3 added, 2 already present, 5 rejected (10 rows`)
        expect(text).toContain("line 5 (+4930555): number: must be an E.164 number")
        expect(text).toContain("line 7 (+12125550101): product_id: product prd_nosuchproduct does not exist")
        expect(text).toContain("line 8 (+12125550102): city: ")

        expect(yield* search(`product_id=${product}`)).toEqual(["+493055500001", "+493055500002", "+493055500003"])
        expect(yield* search(`product_id=${other}`)).toEqual(["+12125550100"])

        // Importing it again adds nothing.
        const again = yield* runImport(file, product)
        expect(again.summary).toMatchObject({ added: 0, already_present: 5 })
      }))

    it.effect("works in batches of 5,000 and reports progress; repeats across batches are already present", () =>
      Effect.gen(function* () {
        const product = yield* numberProduct
        const rows = Array.from({ length: IMPORT_CHUNK + 1_000 }, (_, i) => `+4930777${String(i).padStart(5, "0")},DE,Berlin`)
        // The first number again, in the second batch.
        const file = writeCsv(["number,country,city", ...rows, rows[0]!])
        const { summary, text } = yield* runImport(file, product)
        expect(summary).toMatchObject({ rows: IMPORT_CHUNK + 1_001, added: IMPORT_CHUNK + 1_000, already_present: 1, rejected: [] })
        expect(text.split("\n")[0]).toBe(`Importing ${file} (6,001 rows)`)
        expect(text).toMatch(/6,001 \/ 6,001 rows \(100\.0%\), [\d,]+ numbers\/s, ETA 0:00\n/)

        // On a terminal the progress line is rewritten in place.
        const tty = yield* runImport(file, product, true)
        expect(tty.text).toContain("\r  5,000 / 6,001 rows (83.3%)")
        expect(tty.text).toMatch(/\r {2}6,001 \/ 6,001 rows \(100\.0%\).*\n/)
      }))

    it.effect("a file without the columns it needs is refused", () =>
      Effect.gen(function* () {
        const noHeader = yield* Effect.either(runImport(writeCsv(["+493055500001,DE,Berlin"])))
        expect(Either.getLeft(noHeader).pipe((e: any) => e.value.message)).toMatch(/must name the columns: number, country/)
        const unknown = yield* Effect.either(runImport(writeCsv(["number,country,area", "+493055500001,DE,30"])))
        expect(Either.getLeft(unknown).pipe((e: any) => e.value.message)).toMatch(/unknown column\(s\) area/)
        const noProduct = yield* runImport(writeCsv(["number,country", "+493055500001,DE"]))
        expect(noProduct.summary.rejected).toEqual([
          expect.objectContaining({ line: 2, field: "product_id", reason: expect.stringMatching(/--product/) })
        ])
      }))
  })
})
