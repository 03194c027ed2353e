export * from "./service"
