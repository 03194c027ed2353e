import * as Effect from "effect/Effect"

/**
 * A command's handler loaded when the command runs, not when the CLI starts: `provisio --help`
 * and a mistyped option never pay for the core, the adapters and the database driver.
 */
export const lazily = <Module, Args, E, R>(
  load: () => Promise<Module>,
  pick: (module: Module) => (args: Args) => Effect.Effect<void, E, R>
) =>
(args: Args): Effect.Effect<void, E, R> => Effect.flatMap(Effect.promise(load), (module) => pick(module)(args))
