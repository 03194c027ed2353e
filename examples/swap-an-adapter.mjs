/**
 * Provisio with one adapter replaced by the host's own, in plain Node ESM: no TypeScript, no tsx,
 * the built packages imported as any npm package would be.
 *
 *   node examples/swap-an-adapter.mjs          (after npm ci, which builds the packages; --once is the same)
 *
 * A private datacenter whose servers may not open HTTP connections to providers hands every
 * provisioning call to its own message bus instead. The port is `PushSender` (send one signed
 * call, answer what came back); Provisio keeps everything else: the outbox, ordering per
 * subscription, retries, the signatures. Here the "bus" prints the call and acknowledges it.
 * Nothing in packages/ changes: `ServicesWith` takes the replaceable adapters as a layer.
 */
import { embeddedClient } from "@provisio/adapters/postgres/database"
import { migrate } from "@provisio/adapters/postgres/migrations/index"
import { ManualPaymentGatewayLive } from "@provisio/adapters/payments/manual"
import { ServicesWith } from "@provisio/adapters/services"
import { CreatePlan, CreateProduct } from "@provisio/core/catalog/model"
import { Catalog } from "@provisio/core/catalog/service"
import { CreateCustomer } from "@provisio/core/customers/model"
import { Customers } from "@provisio/core/customers/service"
import { CreateDistributor, CreatePartner } from "@provisio/core/identity/model"
import { Identity } from "@provisio/core/identity/service"
import { AddOrderItem, CreateOrder } from "@provisio/core/ordering/model"
import { Ordering } from "@provisio/core/ordering/service"
import { UpdateProvisioningTarget } from "@provisio/core/provisioning/model"
import { PushSender } from "@provisio/core/provisioning/ports"
import { Provisioning } from "@provisio/core/provisioning/service"
import { deliveryTurn } from "@provisio/core/workers/service"
import { Console, Effect, Layer, Option, Schema } from "effect"

// ---- the host's adapter --------------------------------------------------------------------------

/** The calls the host's bus took, for the summary at the end. */
const published = []

/** `PushSender` on the host's message bus: publish the signed call, acknowledge it. */
const BusPushSender = Layer.succeed(
  PushSender,
  PushSender.of({
    send: (request) =>
      Effect.sync(() => {
        published.push(request)
        console.log(`bus <- ${request.method} ${request.url}  webhook-id ${request.headers["webhook-id"]}`)
        return { status: 202, latency_ms: 0, body_excerpt: "", retry_after: null, configuration: null }
      })
  })
)

// ---- Provisio, with it ---------------------------------------------------------------------------

const Database = Layer.effectDiscard(migrate).pipe(Layer.provideMerge(embeddedClient("memory")))

const ProvisioLive = ServicesWith.pipe(
  Layer.provide(Layer.merge(BusPushSender, ManualPaymentGatewayLive)),
  Layer.provideMerge(Database)
)

/** Input as a JSON client would send it, decoded by the same schemas as the API's. */
const input = (schema, json) => Schema.decodeUnknown(schema)(json)

const program = Effect.gen(function* () {
  const identity = yield* Identity
  yield* identity.bootstrap(Option.none())
  const operator = yield* identity.platformOperator
  const catalog = yield* Catalog
  const ordering = yield* Ordering

  const product = yield* catalog.createProduct(operator, yield* input(CreateProduct, { name: "Dark fibre", type: "connection" }))
  yield* (yield* Provisioning).putTarget(operator, product.id, yield* input(UpdateProvisioningTarget, {
    base_url: "https://provisioning.dc1.internal",
    endpoints: ["subscriptions"]
  }))
  const plan = yield* catalog.createPlan(operator, yield* input(CreatePlan, {
    product_id: product.id,
    name: "Dark fibre 10G",
    price: { amount: "900.00", currency: "EUR" },
    billing_interval: "month"
  }))
  yield* catalog.publishPlan(operator, plan.id)

  const distributor = yield* identity.createDistributor(operator, yield* input(CreateDistributor, { name: "Carrier Wholesale" }))
  const partner = yield* identity.createPartner(operator, yield* input(CreatePartner, { name: "Metro ISP", distributor_id: distributor.id }))
  const customer = yield* (yield* Customers).createCustomer(operator, yield* input(CreateCustomer, { name: "Hospital North", partner_id: partner.id }))
  const order = yield* ordering.createOrder(operator, yield* input(CreateOrder, { customer_id: customer.id }))
  yield* ordering.addItem(operator, order.id, yield* input(AddOrderItem, { plan_id: plan.id, quantity: 1 }))
  const done = yield* ordering.checkout(operator, order.id)
  yield* Console.log(`order ${done.id} ${done.status}: subscription ${done.items[0].subscription_id}`)

  // One turn of the delivery workers (Workers.layer() runs them in a loop): the CREATE goes to the bus.
  const turn = yield* deliveryTurn()
  yield* Console.log(`delivered ${turn.delivered} of ${turn.sent} through the host's PushSender`)
  if (published.length !== 1 || !published[0].body.includes(done.items[0].subscription_id)) {
    return yield* Effect.fail(new Error("the CREATE did not reach the host's bus"))
  }
})

await Effect.runPromise(program.pipe(Effect.provide(ProvisioLive), Effect.scoped)).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
