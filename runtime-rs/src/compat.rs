//! Channels whose schema hashes differ between a frontend and a backend: what still works
//! (docs/protocol.md, "Compatible changes"). The backend judges the frontend's wire schema with
//! `ipcc-wire-compat`, the same rules `ipcc compat` applies; both sides then act on the verdict.

use std::collections::{BTreeMap, BTreeSet};

use ipcc_wire_compat::{judge, ChannelSchema, DEFAULT_BUDGET};

use crate::error::IpcError;

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

/// Reads a schema that generated code embeds (`ChannelSpec::wire_schema`); `None` for a spec
/// without one (written by hand) or one this runtime cannot read, which leaves the channel to
/// the hash comparison.
pub(crate) fn own_schema(text: &str) -> Option<ChannelSchema> {
    if text.is_empty() {
        return None;
    }
    ChannelSchema::from_json(text).ok()
}
