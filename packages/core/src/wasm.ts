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

/**
 * v86's code for every guest's machine: where a worker finds v86.wasm, and the module compiled
 * once and shared by every worker when the platform can (see MachineConfig.wasmModule).
 */
export class SharedWasm {
  private compiled?: Promise<WasmModule | undefined>;

  constructor(
    readonly url?: string,
    private readonly compile?: () => Promise<WasmModule>,
  ) {}

  /** The compiled module, compiled on first use; undefined when it cannot be (each worker then loads `url`). */
  module(): Promise<WasmModule | undefined> {
    if (!this.compile) return Promise.resolve(undefined);
    this.compiled ??= this.compile().catch(() => undefined);
    return this.compiled;
  }
}
