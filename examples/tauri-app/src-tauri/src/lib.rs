//! The Tauri example's backend: the reference `MyInterface`, exact u64 sums with a typed
//! error, a cancellable wait, per-window notifications, binary `bytes` and a streaming job,
//! served to the app's windows by the `ipcc` plugin (runtime-tauri); plus two bare Tauri
//! commands, the peers the benchmark measures ipcc against.

mod handlers;

/// The code `ipcc` generated from common/tauri-app.ipc (backend half).
pub mod tauri_app {
    include!(concat!(env!("OUT_DIR"), "/tauri-app.rs"));
}

use ipcc_runtime::IpcHost;
use tauri::ipc::{InvokeBody, Request};
use tauri::Runtime;

pub use handlers::{Backend, Greeter, MAX_JOB_STEPS};

/// The host with the app's channels registered (the registrations live as long as the host).
pub fn host() -> IpcHost {
    let host = IpcHost::new();
    tauri_app::register_my_interface(&host, Greeter).forget();
    tauri_app::register_tauri_app(&host, Backend::default()).forget();
    // Declares the notifications channel in the handshake before any window connects.
    let _ = tauri_app::AppEventsSender::all(&host);
    host
}

/// The app on any Tauri runtime (`tauri::test::mock_builder()` in the windowless tests): the
/// ipcc plugin serving [`host`], and the bare commands.
pub fn builder<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(ipcc_tauri::init(host()))
        .invoke_handler(tauri::generate_handler![bare_say_hello, bare_byte_length])
}

/// The app's context (configuration, embedded page, capabilities) for any runtime.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Runs the app.
pub fn run() {
    if let Err(error) = builder(tauri::Builder::default()).run(context()) {
        eprintln!("tauri-app: {error}");
        std::process::exit(1);
    }
}

/// `sayHello` as a bare Tauri command (JSON arguments, a JSON string back): the benchmark's peer
/// of the ipcc call.
#[tauri::command]
fn bare_say_hello(arg1: String, arg2: f64, arg3: bool) -> String {
    handlers::greeting(&arg1, arg2, arg3)
}

/// The length of a raw body: the benchmark's peer of `byteLength` with binary `bytes`.
#[tauri::command]
fn bare_byte_length(request: Request<'_>) -> Result<u64, String> {
    match request.body() {
        InvokeBody::Raw(bytes) => Ok(bytes.len() as u64),
        InvokeBody::Json(_) => Err("bare_byte_length takes a raw body".into()),
    }
}
