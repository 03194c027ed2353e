/**
 * Provisio's core from another Effect program, with no HTTP in between: the same services the
 * server's handlers call, on an in-memory embedded database.
 *
 *   npx tsx examples/use-the-core.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { embeddedClient } from "@provisio/adapters/postgres/database"
import { migrate } from "@provisio/adapters/postgres/migrations/index"
import { ServicesLive } from "@provisio/adapters/services"
import { CreateContact, CreateCustomer, Customer } from "@provisio/core/customers/model"
import { Customers } from "@provisio/core/customers/service"
import { CreateApiKey, CreateDistributor, CreatePartner } from "@provisio/core/identity/model"
import { Identity } from "@provisio/core/identity/service"
import { Auth } from "@provisio/core/auth/service"
import { pageRequest } from "@provisio/core/shared/pagination"
import { Console, Effect, Layer, Option, Schema } from "effect"

/** An in-memory PGlite, migrated; use `embeddedClient("./some/folder")` or `PgClient.layer` to keep data. */
const DatabaseLive = Layer.effectDiscard(migrate).pipe(Layer.provideMerge(embeddedClient("memory")))

/** The core's services (Identity, Customers) on the Postgres adapters. */
const AppLive = ServicesLive.pipe(Layer.provide(DatabaseLive))

/** Models hold `DateTime`s and brands; their JSON form is what the API would send. */
const json = <A, I>(schema: Schema.Schema<A, I>, value: A) => JSON.stringify(Schema.encodeSync(schema)(value), null, 2)

const program = Effect.gen(function* () {
  const identity = yield* Identity
  const auth = yield* Auth
  const customers = yield* Customers

  // The platform account and its first admin key, on an empty database (a no-op afterwards).
  yield* identity.bootstrap(Option.none())

  // Every use case takes the acting principal. The platform operator is the platform's admin:
  // what commands run directly on the database act as.
  const operator = yield* identity.platformOperator

  const distributor = yield* identity.createDistributor(operator, new CreateDistributor({ name: "Nordic Distribution" }))
  const partner = yield* identity.createPartner(
    operator,
    new CreatePartner({ name: "Fjord Telecom", distributor_id: distributor.id })
  )
  const customer = yield* customers.createCustomer(
    operator,
    new CreateCustomer({
      partner_id: partner.id,
      external_id: "crm-1001",
      name: "Acme GmbH",
      email: "billing@acme.example",
      timezone: "Europe/Berlin",
      currency: "EUR"
    })
  )
  yield* customers.createContact(operator, customer.id, new CreateContact({ name: "Jana Weber", role: "billing" }))

  yield* Console.log(`distributor ${distributor.id} "${distributor.name}"`)
  yield* Console.log(`partner     ${partner.id} "${partner.name}" (${partner.edition}) under ${partner.distributor_id}`)
  yield* Console.log(`customer\n${json(Customer, customer)}`)

  // Errors are typed values: the duplicate external_id is a `DuplicateCustomer` to handle.
  const duplicate = yield* customers.createCustomer(
    operator,
    new CreateCustomer({ partner_id: partner.id, external_id: "crm-1001", name: "Acme again" })
  ).pipe(
    Effect.map((c) => `unexpected: created ${c.id}`),
    Effect.catchTag("DuplicateCustomer", (e) => Effect.succeed(`refused: ${e.field} ${e.message}`))
  )
  yield* Console.log(duplicate)

  // Acting as the partner: authenticate one of its keys, as the HTTP middleware does.
  const key = yield* identity.createApiKey(operator, new CreateApiKey({ account_id: partner.id, role: "viewer" }))
  const asPartner = yield* auth.authenticate(key.secret)
  const page = yield* customers.listCustomers(asPartner, yield* pageRequest({ limit: 10 }))
  yield* Console.log(
    `the partner's viewer key sees ${page.items.length} customer(s): ${page.items.map((c) => c.name).join(", ")}`
  )
  const write = yield* customers.createCustomer(asPartner, new CreateCustomer({ name: "Not allowed" })).pipe(
    Effect.match({
      onSuccess: (c) => `unexpected: created ${c.id}`,
      onFailure: (e) => `${e._tag}: ${e.message}`
    })
  )
  yield* Console.log(`and may not write: ${write}`)
})

program.pipe(Effect.provide(AppLive), NodeRuntime.runMain)
