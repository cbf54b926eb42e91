//! Compiles the app's interface into `OUT_DIR` and runs `tauri-build`: the app's context (its
//! configuration, embedded page and capabilities) and the ACL manifests of the `ipcc` plugin and
//! of the app's own commands, so that only windows a capability names can reach them.

/// `ipcc_tauri::COMMANDS` (a build dependency on the crate would compile Tauri twice; the app's
/// test `plugin_commands_match` holds the two lists together).
const IPCC_COMMANDS: &[&str] = &["connect", "send", "close"];

/// The app's own commands: the bare `invoke`s the benchmark compares ipcc with.
const APP_COMMANDS: &[&str] = &["bare_say_hello", "bare_byte_length"];

fn main() {
    // The backend half only: the page is the frontend (its TypeScript comes from `ipcc gen --ts`).
    ipcc::Builder::new()
        .build_client(false)
        .compile(&["../common/tauri-app.ipc"]);

    let attributes = tauri_build::Attributes::new()
        .plugin(
            "ipcc",
            tauri_build::InlinedPlugin::new()
                .commands(IPCC_COMMANDS)
                .default_permission(tauri_build::DefaultPermissionRule::AllowAllCommands),
        )
        .app_manifest(tauri_build::AppManifest::new().commands(APP_COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        eprintln!("tauri-build: {error:#}");
        std::process::exit(1);
    }
}
