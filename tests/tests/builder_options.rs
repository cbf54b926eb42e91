//! `ipcc::Builder`'s options for the generated Rust, on idl-examples/greeter (see build.rs):
//! `build_server(false)` leaves a frontend's code only, and `type_attribute` adds derives to
//! the types it names (`#[derive(PartialOrd)]` on `people.Person` and `people.LookupError`).

mod greeter {
    include!(concat!(env!("OUT_DIR"), "/builder_options/greeter.rs"));
}

use std::collections::HashSet;

use greeter::people::{LookupError, Mood, Person};

fn person(id: i64, name: &str) -> Person {
    Person {
        id,
        name: name.to_owned(),
        age: None,
        tags: vec![],
        mood: Mood::Happy,
    }
}

/// `#[derive(PartialOrd)]` on a struct and a union: they compare (field by field, variant by
/// variant in declaration order).
#[test]
fn a_type_attribute_derives_what_it_names() {
    assert!(person(1, "Ada") < person(2, "Ada"));
    assert!(person(1, "Ada") < person(1, "Bo"));
    assert!(LookupError::NotFound { id: 9 } < LookupError::Forbidden);
    assert!(LookupError::NotFound { id: 1 } < LookupError::NotFound { id: 2 });
}

/// Receives `personAdded`, which the backend's `greet` sends.
struct Added(tokio::sync::mpsc::UnboundedSender<Person>);

impl greeter::GreeterEventsListener for Added {
    fn person_added(&self, person: Person) {
        let _ = self.0.send(person);
    }
}

/// The frontend side alone (client, listener) talks to a host built from the whole generated
/// code (the ipcc-tests library's greeter backend) and gets the attributed types back. The
/// backend side is not generated (no trait, `register_greeter` or sender: the compiler's own
/// tests check that), and this file includes the rest without `#[allow(dead_code)]`: clippy
/// `-D warnings` in the test command fails on anything of it left unused.
#[tokio::test]
async fn the_client_side_alone_calls_a_backend() {
    let host = ipcc_runtime::IpcHost::new();
    let _registration =
        ipcc_tests::greeter::register_greeter(&host, ipcc_tests::backends::GreeterBackend);
    let (frontend, backend) = ipcc_runtime::transport::memory::pair();
    tokio::spawn(async move { host.serve(backend).await });
    let connection = ipcc_runtime::IpcConnection::open(
        frontend,
        ipcc_runtime::ConnectOptions::new()
            .channel(greeter::GREETER_SPEC)
            .channel(greeter::GREETER_EVENTS_SPEC),
    );
    let (added, mut arrivals) = tokio::sync::mpsc::unbounded_channel();
    let _listening = greeter::listen_greeter_events(&connection, Added(added));
    let client = greeter::GreeterClient::new(&connection);
    assert_eq!(client.greet("Bo").await.unwrap(), "Hello, Bo!");
    assert_eq!(arrivals.recv().await.unwrap().name, "Bo");
    let alice = client.find_person(1).await.unwrap();
    assert_eq!(alice.name, "Alice");
    // Generated types without a float derive `Eq` and `Hash` themselves.
    let found: HashSet<Person> = [alice.clone(), alice].into();
    assert_eq!(found.len(), 1);
    match client.find_person(403).await {
        Err(ipcc_runtime::codegen::CallError::Declared(error)) => {
            assert_eq!(error, LookupError::Forbidden)
        }
        other => panic!("{other:?}"),
    }
}
