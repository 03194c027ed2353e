export * from "./model"
export * from "./patterns"
export * from "./ports"
export * from "./service"
