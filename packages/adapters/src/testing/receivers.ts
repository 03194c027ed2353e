import * as Effect from "effect/Effect"
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** A call as a receiver got it: the raw body is what the signature covers. */
export interface ReceivedCall {
  readonly method: string
  /** The path and query. */
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export interface Receiver {
  /** `http://127.0.0.1:<port>`, with no trailing slash. */
  readonly url: string
  /** Every call received so far, in order of arrival. */
  readonly calls: () => ReadonlyArray<ReceivedCall>
}

/**
 * A real HTTP receiver on a random loopback port for the scope's life (tests of the push sender
 * and engine). `answer` writes the answer to each call once its body is read; one that never
 * ends the response leaves the caller hanging, as a stuck provider would.
 */
export const serveReceiver = (answer: (call: ReceivedCall, response: ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: ReturnType<typeof createServer>; readonly receiver: Receiver }>((resume) => {
      const calls: Array<ReceivedCall> = []
      const server = createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          const call = {
            method: request.method ?? "",
            path: request.url ?? "",
            headers: request.headers,
            body: Buffer.concat(chunks).toString("utf8")
          }
          calls.push(call)
          answer(call, response)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ server, receiver: { url: `http://127.0.0.1:${port}`, calls: () => [...calls] } }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ receiver }) => receiver))
