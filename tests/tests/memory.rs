//! Every round-trip scenario over the in-memory transport.

ipcc_tests::round_trip_tests!(ipcc_tests::connect_memory);
