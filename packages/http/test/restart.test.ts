import { describe, expect, it } from "@effect/vitest"
import { embeddedClient } from "@provisio/adapters/postgres/database"
import { migrate } from "@provisio/adapters/postgres/migrations/index"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { call, createDistributor, createKey, createPartner, expectData, serverOver } from "./harness"

/** The embedded database in `dir`, migrated on open (as `provisio serve` does). */
const embeddedOn = (dir: string) => Layer.effectDiscard(migrate).pipe(Layer.provideMerge(embeddedClient(dir)))

/** A temp folder, removed when the test's scope closes. */
const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "provisio-restart-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

// A PostgreSQL server outlives the process anyway; this is about the embedded database's files.
describe.skipIf(process.env["DATABASE_URL"] !== undefined)("restart (embedded database)", () => {
  it.scoped("a customer written before a restart reads back the same after it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir

      // First run: the server starts on an empty folder, and stops (its layer released) at the end.
      const before = yield* Effect.gen(function* () {
        const distributor = yield* createDistributor()
        const partner = yield* createPartner(distributor.id)
        const partnerKey = yield* createKey(partner.id)
        const customer = expectData(
          yield* call("POST", "/api/v1/customers", {
            key: partnerKey,
            body: {
              name: "Durable GmbH",
              external_id: "crm-7",
              email: "ops@durable.example",
              timezone: "Europe/Berlin",
              currency: "EUR",
              address: { line1: "Hauptstr. 1", city: "Berlin", country: "DE" },
              metadata: { plan: "gold" }
            }
          }),
          201
        )
        const contact = expectData(
          yield* call("POST", `/api/v1/customers/${customer.id}/contacts`, {
            key: partnerKey,
            body: { name: "Jane", role: "billing" }
          }),
          201
        )
        return { partner, partnerKey, customer, contact }
      }).pipe(Effect.provide(serverOver(embeddedOn(dir))))

      // The folder is free again: the lock went with the first server.
      expect(fs.existsSync(path.join(dir, "provisio.lock"))).toBe(false)

      // Second run on the same folder: migrations find nothing to do and the data is all there.
      yield* Effect.gen(function* () {
        const { contact, customer, partner, partnerKey } = before
        expect(expectData(yield* call("GET", `/api/v1/customers/${customer.id}`, { key: partnerKey }))).toEqual(customer)
        expect(expectData(yield* call("GET", `/api/v1/customers/${customer.id}`))).toEqual(customer)
        expect(expectData(yield* call("GET", "/api/v1/customers", { key: partnerKey }))).toEqual([customer])
        expect(
          expectData(yield* call("GET", `/api/v1/customers/${customer.id}/contacts`, { key: partnerKey }))
        ).toEqual([contact])
        expect(expectData(yield* call("GET", `/api/v1/partners/${partner.id}`))).toEqual(partner)
        // Still unique after the restart: the constraint came back with the data.
        const duplicate = yield* call("POST", "/api/v1/customers", {
          key: partnerKey,
          body: { name: "Again", external_id: "crm-7" }
        })
        expect(duplicate.status).toBe(409)
        expect(duplicate.body.error.code).toBe("duplicate_customer")
      }).pipe(Effect.provide(serverOver(embeddedOn(dir))))
    }), 120_000)
})
