import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

/**
 * The client's types are the committed document's: the build generates them (`npm run client`);
 * this says when the ones in place were made from another document (a build to run again).
 */
const ROOT = path.resolve(import.meta.dirname, "../../..")

describe("@provisio/client's types", () => {
  it("are what openapi-typescript makes of the committed document", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-client-"))
    try {
      const out = path.join(dir, "schema.d.ts")
      await promisify(execFile)(path.join(ROOT, "node_modules", ".bin", "openapi-typescript"), [
        path.join(ROOT, "packages/http/openapi.json"),
        "--output",
        out
      ], { cwd: ROOT })
      const built = fs.readFileSync(path.join(ROOT, "packages/client/generated/schema.d.ts"), "utf8")
      expect(built === fs.readFileSync(out, "utf8"), "packages/client/generated/schema.d.ts is stale: run npm run build").toBe(true)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
