//! Every round-trip scenario over a real WebSocket on 127.0.0.1.

ipcc_tests::round_trip_tests!(ipcc_tests::connect_ws);
