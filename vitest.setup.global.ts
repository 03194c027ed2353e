import {
  createTemplate,
  dropDatabase,
  SnapshotPathEnv,
  TemplateDatabaseEnv,
  writeSnapshot
} from "@provisio/adapters/testing/database"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/**
 * Migrates once per run, not per test file: a template database on the `DATABASE_URL` server, or
 * else a PGlite snapshot in a temp folder. `TestDatabase` finds it through env vars, which the
 * forked workers inherit.
 */
export default async function setup() {
  // Cheap password hashes for the servers the tests start, in this process's workers and in
  // child processes alike (adapters/crypto/passwords.ts).
  process.env["PROVISIO_PASSWORD_HASH_COST"] ??= "10"
  const url = process.env["DATABASE_URL"]
  if (url) {
    const template = `provisio_tpl_${process.pid}`
    await Effect.runPromise(createTemplate(url, template))
    process.env[TemplateDatabaseEnv] = template
    return () => Effect.runPromise(dropDatabase(url, template))
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-test-"))
  const snapshot = path.join(dir, "migrated.tar")
  await Effect.runPromise(writeSnapshot(snapshot))
  process.env[SnapshotPathEnv] = snapshot
  return () => fs.rmSync(dir, { recursive: true, force: true })
}
