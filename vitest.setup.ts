import { it } from "@effect/vitest"

/**
 * `@effect/vitest` gives a layer's tests their `it` by assigning that layer's methods onto the
 * shared `it` object itself, so once test files share a worker's modules (`isolate: false`) the
 * next file's top-level `it.effect` and `it.layer` would run on the previous file's last layer.
 * Each file starts from the methods as the package first made them.
 */
const ORIGINAL = Symbol.for("provisio/test/effect-vitest-it")
const store = globalThis as { [ORIGINAL]?: Partial<typeof it> }
const original = store[ORIGINAL] ??= {
  effect: it.effect,
  scoped: it.scoped,
  live: it.live,
  scopedLive: it.scopedLive,
  flakyTest: it.flakyTest,
  layer: it.layer,
  prop: it.prop
}
Object.assign(it, original)
