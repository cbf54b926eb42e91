//! The VS Code extension for `.ipc` files: the grammar and the language configuration are
//! declarative (package.json); this starts the language server, `ipcc lsp` over stdio, through
//! `vscode-languageclient`, and restarts it when its settings change. Everything the server
//! offers (diagnostics, hover, definition, references, rename, symbols, completion, formatting)
//! is registered by the client from the server's capabilities.

import * as vscode from "vscode";
import { LanguageClient, type Executable, type LanguageClientOptions } from "vscode-languageclient/node";
import {
  PATH_SETTING,
  SETTINGS_SECTION,
  readServerSettings,
  resolveServerCommand,
  serverNotFoundMessage,
  serverStartFailedMessage,
} from "./server";

/** The client's id: the client reads its trace level from `ipcc.trace.server`. */
const CLIENT_ID = "ipcc";
const CLIENT_NAME = "ipcc Language Server";
/** How long a stopping server may take to answer `shutdown` before it is killed. */
const STOP_TIMEOUT_MS = 2000;

/**
 * Owns the one running client. Starts, stops and restarts are queued, so that several setting
 * changes in a row never leave two servers running.
 */
class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** One output for every server started in this window, so a restart keeps the earlier log. */
  readonly output = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  /** Tells the server about `.ipc` files changed outside the editor (imports of open files). */
  private readonly watcher = vscode.workspace.createFileSystemWatcher("**/{*.ipc,ipcc.toml}");

  /** Stops the running server, if any, and starts one with the current settings. */
  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopClient();
      await this.startClient();
    });
  }

  async dispose(): Promise<void> {
    await this.enqueue(() => this.stopClient());
    this.watcher.dispose();
    this.output.dispose();
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task, task);
    return this.queue;
  }

  private async startClient(): Promise<void> {
    const settings = readServerSettings((key) => vscode.workspace.getConfiguration(SETTINGS_SECTION).get(key));
    const workspaceFolder = firstWorkspaceFolder();
    const resolution = resolveServerCommand(settings.path, { workspaceFolder });
    if (!resolution.found) {
      const message = serverNotFoundMessage(settings, resolution);
      this.output.warn(message);
      void this.report(message);
      return;
    }

    // No `transport`: with `TransportKind.stdio` the client would append `--stdio` to the
    // arguments, and the command line must be exactly the configured one.
    const serverOptions: Executable = {
      command: resolution.command,
      args: [...settings.args],
      options: workspaceFolder === undefined ? {} : { cwd: workspaceFolder },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { language: "ipc", scheme: "file" },
        { language: "ipc", scheme: "untitled" },
      ],
      outputChannel: this.output,
      synchronize: { fileEvents: this.watcher },
      // A server that cannot initialize is reported once, not started again and again.
      initializationFailedHandler: () => false,
    };
    this.output.info(`starting ${[resolution.command, ...settings.args].join(" ")}`);
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.client = undefined;
      const message = serverStartFailedMessage(resolution.command, settings.args, error);
      this.output.error(message);
      void this.report(message);
      await client.dispose(STOP_TIMEOUT_MS).catch(() => undefined);
    }
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    try {
      await client.dispose(STOP_TIMEOUT_MS);
    } catch (error) {
      this.output.warn(`the language server did not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Shows `message` with buttons to open the setting or the server's output. */
  private async report(message: string): Promise<void> {
    const openSettings = "Open Settings";
    const showOutput = "Show Output";
    const choice = await vscode.window.showErrorMessage(message, openSettings, showOutput);
    if (choice === openSettings) await vscode.commands.executeCommand("workbench.action.openSettings", PATH_SETTING);
    if (choice === showOutput) this.output.show(true);
  }
}

/** The first workspace folder on disk: relative server paths and the server's cwd refer to it. */
function firstWorkspaceFolder(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file");
  return folder?.uri.fsPath;
}

let controller: ServerController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const current = new ServerController();
  controller = current;
  context.subscriptions.push(
    vscode.commands.registerCommand("ipcc.restartServer", () => current.restart()),
    vscode.commands.registerCommand("ipcc.showServerOutput", () => current.output.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SETTINGS_SECTION}.server`)) void current.restart();
    }),
  );
  void current.restart();
}

export async function deactivate(): Promise<void> {
  const current = controller;
  controller = undefined;
  await current?.dispose();
}
