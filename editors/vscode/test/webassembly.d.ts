// The two WebAssembly types that vscode-oniguruma's typings name and that @types/node 20 does
// not declare (they come with the DOM library, which the extension must not see).
declare namespace WebAssembly {
  type ImportValue = unknown;
  interface WebAssemblyInstantiatedSource {
    readonly instance: unknown;
    readonly module: unknown;
  }
}
