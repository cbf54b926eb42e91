//! A sample of the pairs over a real WebSocket on 127.0.0.1 and a real child process over
//! stdio (the crate's `ipcc-compat-backend`): compatible and breaking verdicts in both
//! directions, methods and notifications, and a channel one side lacks.

mod support;

use ipcc::compat::Direction;
use ipcc_compat_runtime::{case, connect_stdio, connect_ws, Sample};
use support::Meeting;

async fn over_ws(name: &str, direction: Direction) {
    let case = case(name);
    let report = support::report(case);
    let meeting = Meeting {
        case,
        report: &report,
        direction,
    };
    let (frontend, backend) = support::sides(case, direction);
    let mut found = Vec::new();
    for sample in Sample::ALL {
        let fixture = connect_ws(frontend, backend, sample).await;
        let observed = fixture.observe(frontend, sample).await;
        found.extend(support::check_declared(&meeting, sample, &observed));
    }
    support::assert_agrees(case, direction, &found);
}

async fn over_stdio(name: &str, direction: Direction) {
    let case = case(name);
    let report = support::report(case);
    let meeting = Meeting {
        case,
        report: &report,
        direction,
    };
    let (frontend, _) = support::sides(case, direction);
    let mut found = Vec::new();
    for sample in Sample::ALL {
        let fixture = connect_stdio(
            env!("CARGO_BIN_EXE_ipcc-compat-backend"),
            name,
            support::backend_name(direction),
            frontend,
            sample,
        )
        .await;
        let observed = fixture.observe(frontend, sample).await;
        found.extend(support::check_declared(&meeting, sample, &observed));
    }
    support::assert_agrees(case, direction, &found);
}

/// Four tests per pair: each direction over each transport.
macro_rules! transport_tests {
    ($($module:ident => $name:literal,)*) => {$(
        mod $module {
            use super::*;

            #[tokio::test]
            async fn ws_old_frontend_new_backend() {
                over_ws($name, Direction::OldFrontendNewBackend).await;
            }

            #[tokio::test]
            async fn ws_new_frontend_old_backend() {
                over_ws($name, Direction::NewFrontendOldBackend).await;
            }

            #[tokio::test]
            async fn stdio_old_frontend_new_backend() {
                over_stdio($name, Direction::OldFrontendNewBackend).await;
            }

            #[tokio::test]
            async fn stdio_new_frontend_old_backend() {
                over_stdio($name, Direction::NewFrontendOldBackend).await;
            }
        }
    )*};
}

transport_tests! {
    // A method unusable one way only (a new frontend may send one argument too many).
    param_added_optional => "07-param-added-optional",
    // A new optional field in both arguments and results: works both ways.
    field_added_optional => "28-field-added-optional",
    // A result an old frontend may not decode; a new frontend reads the old backend's.
    enum_value_added_result => "39-enum-value-added-result",
    // An argument an old backend may not decode.
    enum_value_added_argument => "40-enum-value-added-argument",
    // A recursive type, boxed fields, one-element arrays.
    recursive_type => "54-recursive-type-gains-optional-field",
    // Notifications: not sent to an old frontend that could not decode them.
    notification_enum_value_added => "64-notification-enum-value-added",
    notification_param_added_optional => "62-notification-param-added-optional",
    // A channel the new backend no longer serves: `unknownChannel`.
    channel_removed => "67-channel-removed",
}
