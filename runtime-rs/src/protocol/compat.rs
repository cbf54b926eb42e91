//! Channels whose schema hashes differ between a frontend and a backend: what still works
//! (docs/protocol.md, "Compatible changes"). The backend judges the frontend's wire schema with
//! `ipcc-wire-compat`, the same rules `ipcc compat` applies; both sides then act on the verdict.

use std::collections::{BTreeMap, BTreeSet};

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use ipcc_wire_compat::{judge, ChannelSchema, SchemaSet, DEFAULT_BUDGET};

use crate::protocol::channel::ChannelSpec;
use crate::protocol::error::IpcError;
use crate::protocol::lock;

/// One channel of a connection whose frontend and backend hashes differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChannelMismatch {
    pub frontend_hash: String,
    pub backend_hash: String,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Not judged (no schema from the frontend, another schema format, over the work budget):
    /// nothing on the channel works.
    Whole,
    /// Judged: these of the frontend's members do not work (with the reason); the rest do.
    /// `deliverable` (backend side) holds the frontend's members that work, the only
    /// notifications it may be sent.
    Members {
        unusable: BTreeMap<String, String>,
        deliverable: Option<BTreeSet<String>>,
    },
}

impl ChannelMismatch {
    /// The backend's verdict on a frontend's `schema` of a channel against its own.
    pub fn judged(
        frontend_hash: &str,
        backend_hash: &str,
        frontend: Option<&ChannelSchema>,
        backend: Option<&ChannelSchema>,
    ) -> ChannelMismatch {
        let verdict = match (frontend, backend) {
            (Some(frontend), Some(backend)) => match judge(frontend, backend, DEFAULT_BUDGET) {
                Ok(judgement) => {
                    let mut unusable = BTreeMap::new();
                    let mut deliverable = BTreeSet::new();
                    for (member, verdict) in judgement.members {
                        match verdict.unusable {
                            Some(reason) => {
                                unusable.insert(member, reason);
                            }
                            None => {
                                deliverable.insert(member);
                            }
                        }
                    }
                    Verdict::Members {
                        unusable,
                        deliverable: Some(deliverable),
                    }
                }
                Err(_) => Verdict::Whole,
            },
            _ => Verdict::Whole,
        };
        ChannelMismatch {
            frontend_hash: frontend_hash.to_owned(),
            backend_hash: backend_hash.to_owned(),
            verdict,
        }
    }

    /// The error for a call of `method` on `channel`, or `None` when the method works.
    pub fn call_error(&self, channel: &str, method: &str) -> Option<IpcError> {
        match &self.verdict {
            Verdict::Whole => Some(IpcError::schema_mismatch(
                channel,
                &self.frontend_hash,
                &self.backend_hash,
            )),
            Verdict::Members { unusable, .. } => unusable.get(method).map(|reason| {
                IpcError::member_mismatch(
                    channel,
                    method,
                    &self.frontend_hash,
                    &self.backend_hash,
                    reason,
                )
            }),
        }
    }

    /// Whether notification `member` of the channel is delivered to this frontend.
    pub fn delivers(&self, member: &str) -> bool {
        match &self.verdict {
            Verdict::Whole => false,
            Verdict::Members {
                unusable,
                deliverable,
            } => match deliverable {
                Some(deliverable) => deliverable.contains(member),
                None => !unusable.contains_key(member),
            },
        }
    }

    /// What the welcome says of a judged channel (its unusable members), `None` if not judged.
    pub fn welcome_entry(&self) -> Option<&BTreeMap<String, String>> {
        match &self.verdict {
            Verdict::Whole => None,
            Verdict::Members { unusable, .. } => Some(unusable),
        }
    }
}

/// A channel's wire schema as this side's generated code embeds it: read once per embedded text
/// (a process has a few, each `'static`), then shared.
///
/// `ChannelSpec::wire_schema` holds the schemas of the channel's whole generated module (a
/// [`SchemaSet`]: one table of types for all its channels), or one channel's schema (a spec
/// written by hand). Empty, or a text this runtime cannot read, leaves the channel to the hash
/// comparison.
pub(crate) fn own_schema(spec: &ChannelSpec) -> Option<ChannelSchema> {
    match embedded(spec.wire_schema)?.as_ref() {
        Embedded::Set(set) => set.channel(spec.channel),
        Embedded::Channel(schema) => Some(schema.clone()),
    }
}

/// A channel's schema as a frontend sends it in its `hello`: only the types the channel reaches
/// (see `ChannelSchema::to_json`), made once per channel and embedded text.
pub(crate) fn hello_schema(spec: &ChannelSpec) -> Option<Arc<str>> {
    if spec.wire_schema.is_empty() {
        return None;
    }
    let key = (
        spec.wire_schema.as_ptr() as usize,
        spec.wire_schema.len(),
        spec.channel,
    );
    let cache = HELLO_TEXTS.get_or_init(Default::default);
    if let Some(text) = lock(cache).get(&key) {
        return Some(text.clone());
    }
    let text: Arc<str> = own_schema(spec)?.to_json().into();
    lock(cache).insert(key, text.clone());
    Some(text)
}

/// What an embedded text holds.
enum Embedded {
    Set(SchemaSet),
    Channel(ChannelSchema),
}

/// Embedded texts read so far, by address and length (`'static` texts never move), with what
/// they hold (`None`: unreadable).
type EmbeddedCache = Mutex<HashMap<(usize, usize), Option<Arc<Embedded>>>>;

static EMBEDDED: OnceLock<EmbeddedCache> = OnceLock::new();

/// Channels' `hello` texts, by embedded text (address and length) and channel.
type HelloCache = Mutex<HashMap<(usize, usize, &'static str), Arc<str>>>;

static HELLO_TEXTS: OnceLock<HelloCache> = OnceLock::new();

fn embedded(text: &'static str) -> Option<Arc<Embedded>> {
    if text.is_empty() {
        return None;
    }
    let key = (text.as_ptr() as usize, text.len());
    let cache = EMBEDDED.get_or_init(Default::default);
    if let Some(found) = lock(cache).get(&key) {
        return found.clone();
    }
    // Generated code embeds sets; a spec written by hand may hold one channel's schema.
    let read = SchemaSet::from_json(text)
        .map(Embedded::Set)
        .or_else(|_| ChannelSchema::from_json(text).map(Embedded::Channel))
        .ok()
        .map(Arc::new);
    lock(cache).insert(key, read.clone());
    read
}
