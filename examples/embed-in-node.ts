/**
 * The whole Provisio API mounted under `/provisio` inside an existing plain Node `http` server,
 * next to the host application's own routes.
 *
 *   npx tsx examples/embed-in-node.ts          serves on http://localhost:3000 until Ctrl-C
 *   npx tsx examples/embed-in-node.ts --once   starts on a free port, orders a subscription through
 *                                              the embedded API, waits for the signed CREATE to
 *                                              reach a provider on loopback, exits
 *
 * Provisio's background work (renewals, provisioning calls, webhooks) is one layer,
 * `Workers.layer()`, provided with the API: the host gets it by building the handler.
 * `HttpApiBuilder.toWebHandler` turns the API into `(Request) => Promise<Response>`, the web
 * standard handler that Hono, Next.js route handlers, Bun, Deno and Cloudflare take as is; for
 * Node's own `http` module the two small converters below do the job. Here the data lives in
 * memory: use `embeddedClient("./data")` for a folder, or `PgClient.layer({ url })` for a server.
 */
import { HttpApi, HttpApiBuilder, HttpApiSwagger, HttpServer, OpenApi } from "@effect/platform"
import { embeddedClient } from "@provisio/adapters/postgres/database"
import { migrate } from "@provisio/adapters/postgres/migrations/index"
import { ServicesLive } from "@provisio/adapters/services"
import { Identity } from "@provisio/core/identity/service"
import { Workers } from "@provisio/core/workers/service"
import { inputBoundary } from "@provisio/http/middleware/input-boundary"
import { requestLog } from "@provisio/http/middleware/request-log"
import { ApiLive } from "@provisio/http/server"
import { Effect, Layer, Option } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { Readable } from "node:stream"

const PREFIX = "/provisio"
const once = process.argv.includes("--once") || process.env["EMBED_ONCE"] === "1"
const port = once ? 0 : Number(process.env["PORT"] ?? 3000)

/** The platform admin key, fixed so it can be printed and used at once (at least 32 characters). */
const ADMIN_KEY = process.env["PROVISIO_BOOTSTRAP_KEY"] ?? "pvo_example_embedded_admin_key_0123456789"

// ---- Provisio as layers ------------------------------------------------------------------------

/** The database (in memory here), migrated, with the core's services on top and the platform bootstrapped. */
const AppLive = Layer.effectDiscard(Effect.flatMap(Identity, (identity) => identity.bootstrap(Option.some(ADMIN_KEY)))).pipe(
  Layer.provideMerge(ServicesLive),
  Layer.provideMerge(Layer.effectDiscard(migrate).pipe(Layer.provideMerge(embeddedClient("memory"))))
)

/** The API, its document telling clients (and Swagger UI's "Try it out") that it lives under the prefix. */
const ApiUnderPrefix = Layer.effect(
  HttpApi.Api,
  Effect.map(HttpApi.Api, ({ api, context }) => ({ api: api.annotate(OpenApi.Servers, [{ url: PREFIX }]), context }))
).pipe(Layer.provide(ApiLive))

const ProvisioLive = Layer.mergeAll(
  HttpApiSwagger.layer({ path: "/swagger" }),
  HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" }),
  // The scheduler and the delivery workers, for as long as the handler lives.
  Workers.layer()
).pipe(
  Layer.provideMerge(ApiUnderPrefix),
  Layer.provideMerge(HttpServer.layerContext),
  Layer.provide(AppLive)
)

const provisio = HttpApiBuilder.toWebHandler(ProvisioLive, {
  // Request ids and log lines, and the input boundary (size, depth and text limits), as
  // `provisio serve` has them. (Its idempotency keys need the database's store in context, which
  // a web handler's middleware is not given.)
  middleware: (app) => requestLog(inputBoundary(app))
})

// ---- Node <-> web standard --------------------------------------------------------------------

const toWebRequest = (req: http.IncomingMessage, path: string): Request => {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else if (value !== undefined) headers.set(name, value)
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD"
  return new Request(new URL(path, `http://${req.headers.host ?? "localhost"}`), {
    method: req.method ?? "GET",
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {})
  } as RequestInit)
}

const writeWebResponse = async (response: Response, res: http.ServerResponse) => {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  res.writeHead(response.status, headers)
  res.end(Buffer.from(await response.arrayBuffer()))
}

// ---- the host application ----------------------------------------------------------------------

const server = http.createServer((req, res) => {
  const url = req.url ?? "/"
  if (url === PREFIX || url.startsWith(`${PREFIX}/`) || url.startsWith(`${PREFIX}?`)) {
    // Provisio sees the path without the prefix: /provisio/api/v1/me -> /api/v1/me.
    const path = url.slice(PREFIX.length) || "/"
    provisio.handler(toWebRequest(req, path)).then(
      (response) => writeWebResponse(response, res),
      (error) => {
        console.error(error)
        res.writeHead(500).end()
      }
    )
    return
  }
  // The host's own routes.
  if (url === "/") {
    res.writeHead(200, { "content-type": "text/plain" }).end(`Host app. Provisio is under ${PREFIX}/\n`)
    return
  }
  res.writeHead(404, { "content-type": "text/plain" }).end("not found\n")
})

const shutdown = async () => {
  server.close()
  // Closes the database (and releases everything else the layers acquired).
  await provisio.dispose()
}

// The layers are built on the first request: do it now, so the database is opened, migrated and
// bootstrapped before the host takes traffic, and a failure stops the start.
const ready = await provisio.handler(new Request("http://localhost/readyz"))
if (!ready.ok) throw new Error(`Provisio is not ready: ${ready.status} ${await ready.text()}`)

server.listen(port, () => {
  const base = `http://localhost:${(server.address() as AddressInfo).port}${PREFIX}`
  console.log(`Provisio is mounted at ${base} (Swagger UI: ${base}/swagger)`)
  console.log(`Try: curl -H "Authorization: Bearer ${ADMIN_KEY}" ${base}/api/v1/me`)
  if (once) {
    orderAndWatchTheProvider(`${base}/api/v1`)
      .then(() => (process.exitCode = 0))
      .catch((error) => {
        console.error(error)
        process.exitCode = 1
      })
      .finally(shutdown)
  } else {
    process.once("SIGINT", shutdown)
    process.once("SIGTERM", shutdown)
  }
})

// ---- --once: an order through the embedded API reaches a provider ---------------------------------

/** A request to the embedded API as the platform admin: the answer's `data`, or a thrown error. */
const api = async (url: string, method: string, body?: unknown) => {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const answer = await response.json() as { success: boolean; data: any }
  if (!answer.success) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(answer)}`)
  return answer.data
}

/**
 * A provider on loopback, a product that pushes to it, a plan, a distributor, a partner, a
 * customer and an order: the workers send the signed CREATE, which the provider prints.
 */
const orderAndWatchTheProvider = async (v1: string) => {
  let received: (call: { method: string; url: string; signature: string; body: string }) => void = () => {}
  const arrived = new Promise<{ method: string; url: string; signature: string; body: string }>((resolve) => (received = resolve))
  const provider = http.createServer((req, res) => {
    let body = ""
    req.on("data", (chunk) => (body += chunk))
    req.on("end", () => {
      res.writeHead(204).end()
      received({ method: req.method ?? "", url: req.url ?? "", signature: String(req.headers["webhook-signature"]), body })
    })
  })
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve))
  try {
    const product = await api(`${v1}/products`, "POST", { name: "Hosted PBX", type: "service" })
    await api(`${v1}/products/${product.id}/provisioning`, "PUT", {
      base_url: `http://127.0.0.1:${(provider.address() as AddressInfo).port}`,
      endpoints: ["subscriptions"]
    })
    const plan = await api(`${v1}/plans`, "POST", {
      product_id: product.id,
      name: "Hosted PBX Monthly",
      price: { amount: "12.00", currency: "EUR" },
      billing_interval: "month"
    })
    await api(`${v1}/plans/${plan.id}/publish`, "POST")
    const distributor = await api(`${v1}/distributors`, "POST", { name: "Nordic Distribution" })
    const partner = await api(`${v1}/partners`, "POST", { name: "Fjord Telecom", distributor_id: distributor.id })
    const customer = await api(`${v1}/customers`, "POST", { name: "Acme GmbH", partner_id: partner.id })
    const order = await api(`${v1}/orders`, "POST", { customer_id: customer.id })
    await api(`${v1}/orders/${order.id}/items`, "POST", { plan_id: plan.id, quantity: 5 })
    const done = await api(`${v1}/orders/${order.id}/checkout`, "POST")
    console.log(`order ${done.id} ${done.status}: subscription ${done.items[0].subscription_id}`)

    const call = await Promise.race([
      arrived,
      // Unreferenced: a pending time-out must not keep the process alive once the call came.
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no provisioning call within 20 s")), 20_000).unref())
    ])
    const sent = JSON.parse(call.body)
    console.log(`provider received ${call.method} ${call.url}: ${sent.action} of ${sent.subscription.id}, signed ${call.signature.slice(0, 12)}...`)
  } finally {
    provider.close()
  }
}
