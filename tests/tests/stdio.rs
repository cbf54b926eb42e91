//! Every round-trip scenario against a real child process over its stdin/stdout.

async fn connect() -> ipcc_tests::Fixture {
    ipcc_tests::connect_stdio(env!("CARGO_BIN_EXE_ipcc-tests-backend")).await
}

ipcc_tests::round_trip_tests!(connect);
