//! What `ipcc compat` says should happen when two versions meet, and the checks that it did.
//!
//! Each direction of a pair is met six times: with each [`Sample`] of values, once with the
//! frontend's hello declaring its channels (the handshake judges them: every member must do
//! exactly what its verdict says) and once with a bare hello (nothing is judged, every call is
//! sent and decoded for real: every member called usable must still work, and every member
//! called unusable must really break with one of the samples, which shows the verdict was not
//! merely strict).

// Two test targets include this module and each uses a part of it.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ipcc::compat::{compare, ChannelReport, ChannelStatus, CompatOptions, Direction, Report};
use ipcc_compat_runtime::{connect_memory, Case, Hello, NamedArgs, Observed, Sample, Version};
use ipcc_runtime::ErrorCode;
use serde_json::Value;

/// `ipcc compat OLD NEW` on a pair, as the library computes it (the CLI's `--format json` is
/// this report). A version in a folder is compared as the CLI would: the whole folder.
pub fn report(case: &Case) -> Report {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let check = |version: &Version| {
        let root = repo.join(version.source);
        let input = match root.file_name() {
            Some(name) if name == "main.ipc" => root.parent().unwrap_or(&root).to_path_buf(),
            _ => root,
        };
        let checked = ipcc::check(&[input]);
        assert!(!checked.has_errors(), "{}: has errors", version.source);
        checked
    };
    compare(
        &check(&case.old),
        &check(&case.new),
        &CompatOptions::default(),
    )
}

/// The frontend's and the backend's version in `direction`.
pub fn sides(case: &Case, direction: Direction) -> (&Version, &Version) {
    match direction {
        Direction::OldFrontendNewBackend => (&case.old, &case.new),
        Direction::NewFrontendOldBackend => (&case.new, &case.old),
    }
}

/// The name of the backend's version in `direction`.
pub fn backend_name(direction: Direction) -> &'static str {
    match direction {
        Direction::OldFrontendNewBackend => "new",
        Direction::NewFrontendOldBackend => "old",
    }
}

/// What should become of a frontend's member.
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    /// The verdict is `null`: the call reaches the backend and returns its value; the
    /// notification is delivered.
    Works,
    /// The verdict is this reason: `versionMismatch` at once, nothing sent; the notification
    /// is not delivered.
    Unusable(String),
    /// The backend has no channel of that name (renamed, removed, or not yet added): the call
    /// is sent and the backend answers `unknownChannel`; nothing is delivered.
    NoSuchChannel,
}

/// One direction of a pair and `compat`'s report on it.
pub struct Meeting<'a> {
    pub case: &'a Case,
    pub report: &'a Report,
    pub direction: Direction,
}

impl Meeting<'_> {
    fn frontend(&self) -> &Version {
        sides(self.case, self.direction).0
    }

    fn backend(&self) -> &Version {
        sides(self.case, self.direction).1
    }

    /// The frontend's name of a channel `compat` reports on.
    fn frontend_channel<'r>(&self, channel: &'r ChannelReport) -> Option<&'r str> {
        match self.direction {
            Direction::OldFrontendNewBackend => channel.old_channel.as_deref(),
            Direction::NewFrontendOldBackend => channel.new_channel.as_deref(),
        }
    }

    /// The verdicts of this direction on a frontend channel, by member (`None`: the channel
    /// has no verdicts since its name differs between the versions).
    fn verdicts<'r>(
        &self,
        channel: &'r ChannelReport,
    ) -> Option<&'r BTreeMap<String, Option<String>>> {
        channel
            .verdicts
            .as_ref()
            .and_then(|v| v.get(self.direction.key()))
    }

    /// What becomes of member `member` of frontend channel `channel`.
    fn expected(&self, channel: &str, member: &str) -> Result<Expected, String> {
        let Some(channel_report) = self
            .report
            .channels
            .iter()
            .find(|c| self.frontend_channel(c) == Some(channel))
        else {
            return Err(format!("compat reports nothing on channel `{channel}`"));
        };
        let backend_has = self.backend().specs.iter().any(|s| s.channel == channel);
        match (&channel_report.verdicts, self.verdicts(channel_report)) {
            (Some(_), Some(verdicts)) => match verdicts.get(member) {
                Some(None) => Ok(Expected::Works),
                Some(Some(reason)) => Ok(Expected::Unusable(reason.clone())),
                None => Err(format!("`{channel}`: no verdict on member `{member}`")),
            },
            (Some(_), None) => Err(format!(
                "`{channel}`: no verdicts for {}",
                self.direction.arrow()
            )),
            (None, _) => {
                // No verdicts: the channel's name differs between the versions, so the backend
                // must not have this name at all, or the frontend would meet it after all.
                let status_fits = match self.direction {
                    Direction::OldFrontendNewBackend => matches!(
                        channel_report.status,
                        ChannelStatus::Renamed | ChannelStatus::Removed
                    ),
                    Direction::NewFrontendOldBackend => matches!(
                        channel_report.status,
                        ChannelStatus::Renamed | ChannelStatus::Added
                    ),
                };
                if !status_fits || backend_has {
                    return Err(format!(
                        "`{channel}` has no verdicts, is {:?}, and the backend has it: {backend_has}",
                        channel_report.status
                    ));
                }
                Ok(Expected::NoSuchChannel)
            }
        }
    }

    /// The frontend's members that `compat` calls unusable: `(channel, member)`.
    pub fn unusable(&self) -> BTreeSet<(String, String)> {
        let mut unusable = BTreeSet::new();
        for channel in &self.report.channels {
            let (Some(name), Some(verdicts)) =
                (self.frontend_channel(channel), self.verdicts(channel))
            else {
                continue;
            };
            for (member, verdict) in verdicts {
                if verdict.is_some() {
                    unusable.insert((name.to_owned(), member.clone()));
                }
            }
        }
        unusable
    }

    /// The frontend's notification channels, by name.
    fn notification_channels(&self) -> BTreeSet<&str> {
        self.report
            .channels
            .iter()
            .filter(|c| c.kind == "notifications")
            .filter_map(|c| self.frontend_channel(c))
            .filter(|name| self.frontend().specs.iter().any(|s| s.channel == *name))
            .collect()
    }
}

/// Whether `seen` (a value as its reader decoded it, encoded again by the reader) is `sent`
/// (what the writer encoded) as the reader's type sees it: fields the reader does not know are
/// left out, an absent optional field is absent, numbers are compared by value.
pub fn seen_as(seen: &Value, sent: &Value) -> bool {
    match (seen, sent) {
        (Value::Object(seen), Value::Object(sent)) => seen
            .iter()
            .all(|(key, value)| sent.get(key).is_some_and(|s| seen_as(value, s))),
        (Value::Array(seen), Value::Array(sent)) => {
            seen.len() == sent.len() && seen.iter().zip(sent).all(|(a, b)| seen_as(a, b))
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

/// The parameters both sides know by the same name whose value the reader saw differently:
/// a value that landed in another parameter (the wire is positional).
fn misplaced(seen: &NamedArgs, sent: &NamedArgs) -> Vec<String> {
    seen.iter()
        .filter_map(|(name, value)| {
            let (_, sent) = sent.iter().find(|(n, _)| n == name)?;
            (!seen_as(value, sent)).then(|| format!("`{name}`: sent {sent}, read {value}"))
        })
        .collect()
}

/// Checks one meeting with the hello declaring the frontend's channels: each member does what
/// its verdict says. Returns the disagreements.
pub fn check_declared(meeting: &Meeting<'_>, sample: Sample, observed: &Observed) -> Vec<String> {
    let mut found = Vec::new();
    let mut fail = |what: String| found.push(format!("[{} values] {what}", sample.name()));

    let mut called: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for outcome in &observed.outcomes {
        let (channel, method) = (outcome.channel, outcome.method);
        called.entry(channel).or_default().insert(method);
        let at = format!("`{channel}`.`{method}`");
        let expected = match meeting.expected(channel, method) {
            Ok(expected) => expected,
            Err(error) => {
                fail(error);
                continue;
            }
        };
        let reached: Vec<_> = observed
            .backend
            .calls
            .iter()
            .filter(|c| c.channel == channel && c.method == method)
            .collect();
        let written = observed.written_calls.as_ref().map(|calls| {
            calls
                .iter()
                .filter(|(c, m)| c == channel && m == method)
                .count()
        });
        match (&expected, &outcome.result) {
            (Expected::Works, Ok(value)) => {
                if reached.len() != 1 {
                    fail(format!(
                        "{at} works but reached the backend {} times",
                        reached.len()
                    ));
                } else {
                    if !seen_as(value, &reached[0].result) {
                        fail(format!(
                            "{at}: the frontend decoded {value} but the backend answered {}",
                            reached[0].result
                        ));
                    }
                    for wrong in misplaced(&reached[0].args, &outcome.sent) {
                        fail(format!("{at}: an argument arrived elsewhere: {wrong}"));
                    }
                }
                if written.is_some_and(|n| n != 1) {
                    fail(format!("{at} works but was written {written:?} times"));
                }
            }
            (Expected::Unusable(reason), Err(error)) => {
                let data = error.data.clone().unwrap_or(Value::Null);
                if error.code != ErrorCode::VersionMismatch
                    || data["method"] != method
                    || data["channel"] != channel
                    || data["reason"] != reason.as_str()
                {
                    fail(format!(
                        "{at}: compat says `{reason}`; the call failed with {:?} {} {data}",
                        error.code, error.message
                    ));
                }
                if !reached.is_empty() || written.is_some_and(|n| n != 0) {
                    fail(format!(
                        "{at} is unusable but was sent ({written:?} written, {} reached)",
                        reached.len()
                    ));
                }
            }
            (Expected::NoSuchChannel, Err(error)) => {
                if error.code != ErrorCode::UnknownChannel {
                    fail(format!(
                        "{at}: the backend has no such channel; the call failed with {:?} {}",
                        error.code, error.message
                    ));
                }
                if !reached.is_empty() || written.is_some_and(|n| n != 1) {
                    fail(format!(
                        "{at} on a channel the backend lacks: {written:?} written, {} reached",
                        reached.len()
                    ));
                }
            }
            (expected, got) => fail(format!("{at}: expected {expected:?}, got {got:?}")),
        }
    }
    // Every method compat judged was called: the glue covers the frontend.
    for channel_report in meeting
        .report
        .channels
        .iter()
        .filter(|c| c.kind == "interface")
    {
        let (Some(channel), Some(verdicts)) = (
            meeting.frontend_channel(channel_report),
            meeting.verdicts(channel_report),
        ) else {
            continue;
        };
        let judged: BTreeSet<&str> = verdicts.keys().map(String::as_str).collect();
        let mine = called.get(channel).cloned().unwrap_or_default();
        if judged != mine {
            fail(format!(
                "`{channel}`: compat judged {judged:?}, the frontend called {mine:?}"
            ));
        }
    }

    // Notifications: delivered exactly when the verdict says the member works and the backend
    // has it, once, with the arguments the backend sent.
    for sent in &observed.backend.notifications {
        if let Some(error) = &sent.error {
            fail(format!(
                "the backend could not send `{}`.`{}`: {error}",
                sent.channel, sent.method
            ));
        }
    }
    for channel in meeting.notification_channels() {
        let expected: BTreeSet<&str> = observed
            .backend
            .notifications
            .iter()
            .filter(|s| s.channel == channel)
            .filter(|s| meeting.expected(channel, &s.method) == Ok(Expected::Works))
            .map(|s| s.method.as_str())
            .collect();
        let arrived: Vec<&str> = observed
            .arrivals
            .iter()
            .filter(|a| a.channel == channel)
            .map(|a| a.method.as_str())
            .collect();
        if arrived.iter().copied().collect::<BTreeSet<_>>() != expected
            || arrived.len() != expected.len()
        {
            fail(format!(
                "`{channel}`: compat lets through {expected:?}; the frontend received {arrived:?}"
            ));
        }
    }
    for (at, wrong) in misdelivered(observed) {
        fail(format!("{at}: the frontend decoded {wrong}"));
    }
    for error in &observed.hook {
        fail(format!(
            "the frontend reported {:?}: {}",
            error.code, error.message
        ));
    }
    found
}

/// Notifications that arrived with arguments other than those sent: `(where, what)`.
fn misdelivered(observed: &Observed) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for arrival in &observed.arrivals {
        let at = format!("`{}`.`{}`", arrival.channel, arrival.method);
        match observed
            .backend
            .notifications
            .iter()
            .find(|s| s.channel == arrival.channel && s.method == arrival.method)
        {
            Some(sent) => {
                for wrong in misplaced(&arrival.args, &sent.args) {
                    found.push((at.clone(), wrong));
                }
            }
            None => found.push((at, "a notification the backend did not send".into())),
        }
    }
    found
}

/// Checks one meeting with a bare hello (nothing judged): every member whose verdict is `null`
/// works as with the handshake; adds to `witnessed` the unusable members that broke (a failed
/// call, a value read differently, a notification not delivered or not decoded). Returns the
/// disagreements.
pub fn check_bare(
    meeting: &Meeting<'_>,
    sample: Sample,
    observed: &Observed,
    witnessed: &mut BTreeSet<(String, String)>,
) -> Vec<String> {
    let mut found = Vec::new();
    let mut fail =
        |what: String| found.push(format!("[{} values, bare hello] {what}", sample.name()));
    for outcome in &observed.outcomes {
        let (channel, method) = (outcome.channel, outcome.method);
        let at = format!("`{channel}`.`{method}`");
        let reached: Vec<_> = observed
            .backend
            .calls
            .iter()
            .filter(|c| c.channel == channel && c.method == method)
            .collect();
        let broke = match (&outcome.result, reached.as_slice()) {
            (Ok(value), [reached]) => {
                !seen_as(value, &reached.result)
                    || !misplaced(&reached.args, &outcome.sent).is_empty()
            }
            _ => true,
        };
        match meeting.expected(channel, method) {
            Ok(Expected::Works) if broke => fail(format!(
                "{at} works by compat's verdict, but sent as is it gave {:?} (reached: {reached:?})",
                outcome.result
            )),
            Ok(Expected::Unusable(_)) if broke => {
                witnessed.insert((channel.to_owned(), method.to_owned()));
            }
            Ok(Expected::NoSuchChannel) => {
                if !matches!(&outcome.result, Err(e) if e.code == ErrorCode::UnknownChannel) {
                    fail(format!("{at}: expected `unknownChannel`, got {:?}", outcome.result));
                }
            }
            Ok(_) => {}
            Err(error) => fail(error),
        }
    }

    // Notifications: sent to the frontend whatever it can decode.
    let misdelivered = misdelivered(observed);
    let reported = |channel: &str, method: &str| {
        let prefix = format!("notification {channel}.{method}: ");
        observed.hook.iter().any(|e| e.message.starts_with(&prefix))
    };
    for channel in meeting.notification_channels() {
        for sent in observed
            .backend
            .notifications
            .iter()
            .filter(|s| s.channel == channel)
        {
            let method = sent.method.as_str();
            let at = format!("`{channel}`.`{method}`");
            let arrived = observed
                .arrivals
                .iter()
                .filter(|a| a.channel == channel && a.method == method)
                .count();
            let broke = arrived != 1
                || reported(channel, method)
                || misdelivered.iter().any(|(w, _)| *w == at);
            match meeting.expected(channel, method) {
                Ok(Expected::Works) if broke => fail(format!(
                    "{at} works by compat's verdict, but sent as is it arrived {arrived} times (hook: {:?})",
                    observed.hook
                )),
                Ok(Expected::Unusable(_)) if broke => {
                    witnessed.insert((channel.to_owned(), method.to_owned()));
                }
                _ => {}
            }
        }
    }
    // A frontend member the backend never sends breaks by not arriving.
    for (channel, member) in meeting.unusable() {
        let sent = observed
            .backend
            .notifications
            .iter()
            .any(|s| s.channel == channel && s.method == member);
        if meeting.notification_channels().contains(channel.as_str()) && !sent {
            witnessed.insert((channel, member));
        }
    }
    found
}

/// The unusable members no sample made break when sent as is.
pub fn unwitnessed(meeting: &Meeting<'_>, witnessed: &BTreeSet<(String, String)>) -> Vec<String> {
    meeting
        .unusable()
        .difference(witnessed)
        .map(|(channel, member)| {
            format!(
                "`{channel}`.`{member}` is unusable by compat's verdict, yet sent as is it worked with every sample"
            )
        })
        .collect()
}

/// Meets `direction` of `case` over the in-memory transport six times (every sample, a
/// declared and a bare hello) and returns every disagreement with `report`.
pub async fn meet_in_memory(case: &Case, report: &Report, direction: Direction) -> Vec<String> {
    let meeting = Meeting {
        case,
        report,
        direction,
    };
    let (frontend, backend) = sides(case, direction);
    let mut found = Vec::new();
    let mut witnessed = BTreeSet::new();
    for sample in Sample::ALL {
        let declared = connect_memory(frontend, backend, sample, Hello::Declared);
        let observed = declared.observe(frontend, sample).await;
        found.extend(check_declared(&meeting, sample, &observed));
        let bare = connect_memory(frontend, backend, sample, Hello::Bare);
        let observed = bare.observe(frontend, sample).await;
        found.extend(check_bare(&meeting, sample, &observed, &mut witnessed));
    }
    found.extend(unwitnessed(&meeting, &witnessed));
    found
}

/// Where the judge is stricter than the decoders, on purpose, each pinned to its exact text:
/// the test keeps passing while the rule holds and fails once it changes (then update or
/// remove the entry). Anything else found is a disagreement between the runtime and `compat`.
///
/// - `48-struct-to-union`, new frontend → old backend: the new frontend's `Shape` is
///   `union { circle { r: f64; } }`, the old backend's `struct { r: f64; }`. A value the
///   frontend sends (`{"kind":"circle","r":1.5}`) decodes as the struct (`kind` is an unknown
///   field, ignored), but only by dropping which variant it is: a second variant with the same
///   fields would be read as the first. The judge never reads a union as a struct
///   (docs/evolution.md).
const STRICTER_ON_PURPOSE: &[(&str, Direction, &[&str])] = &[(
    "48-struct-to-union",
    Direction::NewFrontendOldBackend,
    &["`c-v1`.`draw` is unusable by compat's verdict, yet sent as is it worked with every sample"],
)];

/// Fails the test with every disagreement `found` (but for a pinned [`STRICTER_ON_PURPOSE`]
/// entry, which must show exactly).
pub fn assert_agrees(case: &Case, direction: Direction, found: &[String]) {
    let known: Vec<String> = STRICTER_ON_PURPOSE
        .iter()
        .filter(|(name, known_direction, _)| *name == case.name && *known_direction == direction)
        .flat_map(|(_, _, texts)| texts.iter().map(|t| t.to_string()))
        .collect();
    assert!(
        found == known,
        "{} {}: the runtime disagrees with `ipcc compat`:\n{}\n{}",
        case.name,
        direction.arrow(),
        found.join("\n"),
        if known.is_empty() {
            String::new()
        } else {
            format!(
                "(pinned as stricter on purpose:\n{}\nchanged? update or remove the entry)",
                known.join("\n")
            )
        }
    );
}
