//! Serves one version of one pair of the compat corpus over this process's stdin/stdout:
//! `ipcc-compat-backend 07-param-added-optional new full` (the last word: which sample values
//! it answers and notifies, `full`, `least` or `edge`). The stdio tests spawn it.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [case, which, sample] = args.as_slice() else {
        eprintln!("usage: ipcc-compat-backend CASE old|new full|least|edge");
        return std::process::ExitCode::from(2);
    };
    let Some(case) = ipcc_compat_runtime::CASES.iter().find(|c| c.name == case) else {
        eprintln!("ipcc-compat-backend: no pair `{case}` in the corpus");
        return std::process::ExitCode::from(2);
    };
    if which != "old" && which != "new" {
        eprintln!("ipcc-compat-backend: a version is `old` or `new`, not `{which}`");
        return std::process::ExitCode::from(2);
    }
    let Some(sample) = ipcc_compat_runtime::Sample::parse(sample) else {
        eprintln!("ipcc-compat-backend: samples are `full`, `least` or `edge`, not `{sample}`");
        return std::process::ExitCode::from(2);
    };
    let host = ipcc_runtime::IpcHost::new();
    let _backend = ipcc_compat_runtime::serve(&host, case.version(which), sample);
    match host.serve_stdio().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ipcc-compat-backend: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
