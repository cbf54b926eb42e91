//! How the extension finds and starts `ipcc lsp`: reading the settings, finding the binary, and
//! the messages shown when it cannot. Nothing here imports `vscode`, so the tests run it under
//! plain Node, and a test of the language server can start the server exactly as the extension
//! does (`serverCommandLine`).

import { accessSync, constants, statSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";

/** The extension's settings section; `ipcc.server.path` and `ipcc.server.args` are in it. */
export const SETTINGS_SECTION = "ipcc";
/** The setting that names the server binary (shown in messages). */
export const PATH_SETTING = "ipcc.server.path";
/** The setting that holds the server's arguments (shown in messages). */
export const ARGS_SETTING = "ipcc.server.args";
/** `ipcc.server.path` when it is not set: `ipcc` on `PATH`. */
export const DEFAULT_SERVER_PATH = "ipcc";
/** `ipcc.server.args` when it is not set. */
export const DEFAULT_SERVER_ARGS: readonly string[] = ["lsp"];

/** The two settings that say how to start the server. */
export interface ServerSettings {
  /** A command name looked up on `PATH`, or a path to the binary. */
  readonly path: string;
  /** The arguments, `["lsp"]` by default. */
  readonly args: readonly string[];
}

/**
 * Reads the settings through `get` (VS Code's `WorkspaceConfiguration.get` on the `ipcc`
 * section, or any other source): a value of the wrong type, or an empty path, falls back to the
 * default instead of starting something unexpected.
 */
export function readServerSettings(get: (key: string) => unknown): ServerSettings {
  const rawPath = get("server.path");
  const rawArgs = get("server.args");
  const serverPath = typeof rawPath === "string" && rawPath.trim() !== "" ? rawPath.trim() : DEFAULT_SERVER_PATH;
  const args =
    Array.isArray(rawArgs) && rawArgs.every((a): a is string => typeof a === "string") ? [...rawArgs] : [...DEFAULT_SERVER_ARGS];
  return { path: serverPath, args };
}

/** What `resolveServerCommand` needs to know about the machine (the real one by default). */
export interface ResolveContext {
  /** The first workspace folder: `${workspaceFolder}` and relative paths refer to it. */
  readonly workspaceFolder?: string | undefined;
  /** The environment whose `PATH` (and `PATHEXT` on Windows) is searched. */
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  readonly homeDir?: string;
}

/** The outcome of looking for the server binary. */
export type ServerResolution =
  | { readonly found: true; readonly command: string }
  | {
      readonly found: false;
      /** The setting's value after expanding `~` and `${workspaceFolder}`. */
      readonly expanded: string;
      /** Whether the setting was a name looked up on `PATH` (else a path). */
      readonly searchedPath: boolean;
      /** Why a path was rejected when the file exists (a folder, not executable). */
      readonly reason?: string;
    };

/**
 * Finds the binary `serverPath` names, as a shell would: a bare name is looked up in the
 * directories of `PATH` (with the extensions of `PATHEXT` on Windows); anything with a path
 * separator is a path, relative to the workspace folder when it is relative. `~` and
 * `${workspaceFolder}` are expanded first. The result is an absolute path, so the extension can
 * say "not found" before it spawns anything, and spawns exactly what it checked.
 */
export function resolveServerCommand(serverPath: string, context: ResolveContext = {}): ServerResolution {
  const platform = context.platform ?? process.platform;
  const env = context.env ?? process.env;
  const pathApi = platform === "win32" ? path.win32 : path.posix;
  const expanded = expandPath(serverPath, context.workspaceFolder, context.homeDir ?? homedir(), pathApi);
  const hasSeparator = expanded.includes("/") || (platform === "win32" && expanded.includes("\\"));

  if (hasSeparator) {
    const base = context.workspaceFolder ?? process.cwd();
    const candidate = pathApi.isAbsolute(expanded) ? expanded : pathApi.resolve(base, expanded);
    const problem = executableProblem(candidate, platform);
    if (problem === undefined) return { found: true, command: candidate };
    return problem === "missing"
      ? { found: false, expanded: candidate, searchedPath: false }
      : { found: false, expanded: candidate, searchedPath: false, reason: problem };
  }

  const dirs = (env.PATH ?? env.Path ?? "").split(pathApi.delimiter).filter((d) => d !== "");
  const extensions =
    platform === "win32" && pathApi.extname(expanded) === ""
      ? (env.PATHEXT ?? ".COM;.EXE;.BAT;.CMD").split(";").filter((e) => e !== "")
      : [""];
  for (const dir of dirs) {
    for (const extension of extensions) {
      const candidate = pathApi.join(dir, expanded + extension);
      if (executableProblem(candidate, platform) === undefined) return { found: true, command: candidate };
    }
  }
  return { found: false, expanded, searchedPath: true };
}

/** `~` (alone or followed by a separator) and `${workspaceFolder}` expanded. */
function expandPath(value: string, workspaceFolder: string | undefined, home: string, pathApi: path.PlatformPath): string {
  let result = value;
  if (workspaceFolder !== undefined) result = result.split("${workspaceFolder}").join(workspaceFolder);
  if (result === "~") return home;
  if (result.startsWith("~/") || result.startsWith("~\\")) return pathApi.join(home, result.slice(2));
  return result;
}

/** `undefined` when `file` is a file this process may execute, else what is wrong with it. */
function executableProblem(file: string, platform: NodeJS.Platform): "missing" | string | undefined {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    return "missing";
  }
  if (!isFile) return "it is not a file";
  if (platform === "win32") return undefined;
  try {
    accessSync(file, constants.X_OK);
    return undefined;
  } catch {
    return "it is not executable";
  }
}

/**
 * The message shown when the server binary cannot be found: it names the setting to change and
 * says that highlighting keeps working.
 */
export function serverNotFoundMessage(settings: ServerSettings, resolution: Extract<ServerResolution, { found: false }>): string {
  const what = resolution.searchedPath
    ? `\`${resolution.expanded}\` was not found on PATH`
    : resolution.reason !== undefined
      ? `\`${resolution.expanded}\` cannot be started: ${resolution.reason}`
      : `\`${resolution.expanded}\` does not exist`;
  const configured = settings.path === DEFAULT_SERVER_PATH ? "" : ` (from \`${PATH_SETTING}\`: \`${settings.path}\`)`;
  return (
    `ipcc: cannot start the language server: ${what}${configured}. ` +
    `Install ipcc (\`cargo install --path compiler\` in the ipcc repository) or set \`${PATH_SETTING}\` to the ipcc binary. ` +
    `Highlighting works without it; diagnostics, hover, navigation, completion and formatting need it.`
  );
}

/** The message shown when the binary was found but the server did not start or initialize. */
export function serverStartFailedMessage(command: string, args: readonly string[], error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  return (
    `ipcc: the language server \`${[command, ...args].join(" ")}\` failed to start: ${detail}. ` +
    `Check \`${PATH_SETTING}\` and \`${ARGS_SETTING}\`, and the "ipcc Language Server" output.`
  );
}

/**
 * The command line the extension runs for `settings` (resolved as `resolveServerCommand` does),
 * or `undefined` when the binary is not found. The server speaks LSP on its stdin and stdout;
 * no `--stdio` is added.
 */
export function serverCommandLine(settings: ServerSettings, context: ResolveContext = {}): { command: string; args: string[] } | undefined {
  const resolution = resolveServerCommand(settings.path, context);
  return resolution.found ? { command: resolution.command, args: [...settings.args] } : undefined;
}
