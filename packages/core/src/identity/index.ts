export * from "./model"
export * from "./policy"
export * from "./ports"
export * from "./service"
