import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

/** The client's types are the document's: `npm run client` regenerates them, and this says when to. */
const ROOT = path.resolve(import.meta.dirname, "../../..")

describe("@provisio/client's types", () => {
  it("are what openapi-typescript makes of the committed document", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-client-"))
    try {
      const out = path.join(dir, "schema.ts")
      await promisify(execFile)(path.join(ROOT, "node_modules", ".bin", "openapi-typescript"), [
        path.join(ROOT, "packages/http/openapi.json"),
        "--output",
        out
      ], { cwd: ROOT })
      const committed = fs.readFileSync(path.join(ROOT, "packages/client/src/schema.ts"), "utf8")
      expect(committed === fs.readFileSync(out, "utf8"), "packages/client/src/schema.ts is stale: run npm run client").toBe(true)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
