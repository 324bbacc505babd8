/**
 * The little of the WebAssembly API the core uses. ES2022's type library has none of it (the DOM
 * and Node provide it at run time), and the core is built without the DOM's types.
 */
export type WasmModule = object;

interface WasmApi {
  compile(bytes: Uint8Array | ArrayBuffer): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<{ exports: object }>;
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
