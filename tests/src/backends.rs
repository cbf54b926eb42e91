//! Backends for every example interface, written against the generated traits exactly as a
//! user would, with behaviour the scenarios can check from the other side of a transport.

use crate::dotted::acme::jobs::{Assignment, HireError, Job, Level as JobLevel};
use crate::dotted::acme::people::Person as StaffMember;
use crate::dotted::{Roster, Staffing, StaffingEventsSender};
use crate::errors::{AuthError, Bank, ValidationError};
use crate::greeter::people::{LookupError, Mood, Person, PersonId};
use crate::greeter::{Greeter, GreeterEventsSender};
use crate::keywords as kw;
use crate::my_interface::MyInterface;
use crate::notifications::{JobEventsSender, Jobs, Level, LogLine};
use crate::primitives_and_containers::{Containers, Echo, Primitives};
use crate::unions::{Canvas, Drawing, Point, Shape};
use ipcc_runtime::{CallContext, ChannelSpec, HandlerError, IpcHost, Registration};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
// guide:start raised-rs
use crate::errors::TransferError;
use ipcc_runtime::Raised;
// guide:end raised-rs

/// How many `balance("slow")` handlers were cancelled before finishing.
/// Readable from any transport through `balance("dropped")`, and awaited through
/// `balance("dropped>N")`.
static DROPPED_SLOW_CALLS: AtomicU64 = AtomicU64::new(0);

/// Woken each time [`DROPPED_SLOW_CALLS`] grows.
static SLOW_CALL_DROPPED: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Resolves with [`DROPPED_SLOW_CALLS`] once it is above `count`.
async fn dropped_beyond(count: u64) -> u64 {
    loop {
        // Registered before the count is read, so that a drop in between still wakes it.
        let woken = SLOW_CALL_DROPPED.notified();
        let mut woken = std::pin::pin!(woken);
        woken.as_mut().enable();
        let dropped = DROPPED_SLOW_CALLS.load(Ordering::SeqCst);
        if dropped > count {
            return dropped;
        }
        woken.await;
    }
}

/// Counts a slow handler that was cancelled: dropped, or woken by `ctx.cancelled()`.
struct DropCounter {
    finished: bool,
}

impl Drop for DropCounter {
    fn drop(&mut self) {
        if !self.finished {
            DROPPED_SLOW_CALLS.fetch_add(1, Ordering::SeqCst);
            SLOW_CALL_DROPPED.notify_waiters();
        }
    }
}

/// Mounts every example backend on `host`; keep the registrations alive while serving.
pub fn register_all(host: &IpcHost) -> Vec<Registration> {
    vec![
        crate::my_interface::register_my_interface(host, Reference),
        crate::primitives_and_containers::register_echo(host, EchoBackend),
        crate::unions::register_canvas(host, CanvasBackend),
        crate::errors::register_bank(host, BankBackend),
        crate::notifications::register_jobs(host, JobsBackend),
        crate::greeter::register_greeter(host, GreeterBackend),
        kw::register_keywordy(host, KeywordyBackend),
        crate::edge_cases::register_edgy(host, EdgyBackend),
        crate::dotted::register_staffing(host, StaffingBackend),
    ]
}

/// Every channel the backends serve or notify on, as a frontend declares them.
pub fn all_specs() -> Vec<ChannelSpec> {
    vec![
        crate::my_interface::MY_INTERFACE_SPEC,
        crate::primitives_and_containers::ECHO_SPEC,
        crate::unions::CANVAS_SPEC,
        crate::errors::BANK_SPEC,
        crate::notifications::JOBS_SPEC,
        crate::notifications::JOB_EVENTS_SPEC,
        crate::greeter::GREETER_SPEC,
        crate::greeter::GREETER_EVENTS_SPEC,
        kw::KEYWORDY_SPEC,
        kw::EVENTS_SPEC,
        crate::edge_cases::EDGY_SPEC,
        crate::dotted::STAFFING_SPEC,
        crate::dotted::STAFFING_EVENTS_SPEC,
    ]
}

/// The reference article's backend.
pub struct Reference;

impl MyInterface for Reference {
    async fn say_hello(
        &self,
        _ctx: CallContext,
        arg1: String,
        arg2: f64,
        arg3: bool,
    ) -> Result<String, HandlerError> {
        Ok(format!("hello: {arg1} {arg2} {arg3}"))
    }
}

/// Echoes values back unchanged.
pub struct EchoBackend;

impl Echo for EchoBackend {
    async fn echo_primitives(
        &self,
        _ctx: CallContext,
        value: Primitives,
    ) -> Result<Primitives, HandlerError> {
        Ok(value)
    }

    async fn echo_containers(
        &self,
        _ctx: CallContext,
        value: Containers,
    ) -> Result<Containers, HandlerError> {
        Ok(value)
    }

    async fn sum(
        &self,
        _ctx: CallContext,
        values: Vec<i64>,
        start: Option<i64>,
    ) -> Result<i64, HandlerError> {
        values
            .iter()
            .try_fold(start.unwrap_or(0), |total, v| total.checked_add(*v))
            .ok_or_else(|| HandlerError::new("sum overflows i64"))
    }
}

/// The drawing `draw` accepts: every variant of both unions, nested and recursive.
pub fn sample_drawing() -> Drawing {
    Drawing::Group {
        children: vec![
            Drawing::Leaf {
                shape: Shape::Circle { radius: 1.5 },
            },
            Drawing::Transformed {
                dx: -0.0,
                dy: f64::MAX,
                inner: Box::new(Drawing::Transformed {
                    dx: 1.0,
                    dy: 2.0,
                    inner: Box::new(Drawing::Leaf {
                        shape: Shape::Polygon {
                            points: vec![
                                Point { x: 0.0, y: 0.0 },
                                Point {
                                    x: 1e-300,
                                    y: -1e300,
                                },
                            ],
                        },
                    }),
                }),
            },
            Drawing::Leaf {
                shape: Shape::Empty,
            },
            Drawing::Leaf {
                shape: Shape::Rect { w: 2.0, h: 3.0 },
            },
            Drawing::Group { children: vec![] },
        ],
    }
}

fn area(shape: &Shape) -> f64 {
    match shape {
        Shape::Circle { radius } => std::f64::consts::PI * radius * radius,
        Shape::Rect { w, h } => w * h,
        Shape::Polygon { .. } | Shape::Empty => 0.0,
    }
}

/// Computes areas; accepts only [`sample_drawing`] (so a stdio child can check what arrived).
pub struct CanvasBackend;

impl Canvas for CanvasBackend {
    async fn area(&self, _ctx: CallContext, shape: Shape) -> Result<f64, HandlerError> {
        Ok(area(&shape))
    }

    async fn draw(&self, _ctx: CallContext, drawing: Drawing) -> Result<(), HandlerError> {
        let expected = sample_drawing();
        // Debug text compares -0.0 and 0.0 as different, as the wire does.
        if format!("{drawing:?}") == format!("{expected:?}") {
            Ok(())
        } else {
            Err(HandlerError::new(format!("unexpected drawing {drawing:?}")))
        }
    }

    async fn largest(
        &self,
        _ctx: CallContext,
        shapes: BTreeMap<String, Shape>,
    ) -> Result<Option<Shape>, HandlerError> {
        Ok(shapes
            .into_values()
            .max_by(|a, b| area(a).total_cmp(&area(b))))
    }
}

/// Every failure mode: declared errors of each kind, internal errors, panics, slow calls.
pub struct BankBackend;

// guide:start raised-rs
/// A `transfer` from an account whose balance is kept in a file. Too small a balance is the
/// declared error; a file that cannot be read or does not hold a number is not the caller's to
/// handle, and `?` makes it `internal`.
async fn transfer_from_ledger(path: &str, amount: u64) -> Result<(), Raised<TransferError>> {
    let available: u64 = tokio::fs::read_to_string(path).await?.trim().parse()?;
    if amount > available {
        Err(TransferError::InsufficientFunds {
            needed: amount,
            available,
        })?;
    }
    Ok(())
}
// guide:end raised-rs

impl Bank for BankBackend {
    async fn transfer(
        &self,
        _ctx: CallContext,
        from: String,
        _to: String,
        amount: u64,
    ) -> Result<(), Raised<TransferError>> {
        if let Some(path) = from.strip_prefix("ledger:") {
            return transfer_from_ledger(path, amount).await;
        }
        match from.as_str() {
            "ghost" => Err(TransferError::AccountNotFound { account: from }.into()),
            "ice" => Err(TransferError::Frozen.into()),
            _ if amount > 100 => Err(TransferError::InsufficientFunds {
                needed: amount,
                available: 100,
            }
            .into()),
            _ => Ok(()),
        }
    }

    async fn login(
        &self,
        _ctx: CallContext,
        user: String,
        password: String,
    ) -> Result<String, Raised<AuthError>> {
        match (user.as_str(), password.as_str()) {
            (_, "old") => Err(AuthError::Expired.into()),
            (_, "revoked") => Err(AuthError::Revoked.into()),
            ("alice", _) => Ok(format!("token-{user}")),
            _ => Err(AuthError::UnknownUser.into()),
        }
    }

    async fn open_account(
        &self,
        _ctx: CallContext,
        owner: String,
        initial_deposit: Option<u64>,
    ) -> Result<String, Raised<ValidationError>> {
        if owner.is_empty() {
            return Err(ValidationError {
                field: "owner".into(),
                reason: "must not be empty".into(),
            }
            .into());
        }
        Ok(format!("{owner}:{initial_deposit:?}"))
    }

    async fn balance(&self, ctx: CallContext, account: String) -> Result<u64, HandlerError> {
        match account.as_str() {
            "panic" => panic!("the balance handler panics on purpose"),
            "fail" => Err(HandlerError::new("no such account")),
            "slow" => {
                let mut counter = DropCounter { finished: false };
                // Ends only when cancelled or after a minute. The host may either drop this
                // future or first wake `cancelled()`: both count as a cancellation.
                tokio::select! {
                    _ = ctx.cancelled() => {}
                    _ = tokio::time::sleep(Duration::from_secs(60)) => counter.finished = true,
                }
                Ok(0)
            }
            "dropped" => Ok(DROPPED_SLOW_CALLS.load(Ordering::SeqCst)),
            // The backend process dies mid-call (only ever asked of a child process).
            "exit" => std::process::exit(3),
            other => match other.strip_prefix("dropped>") {
                // Answers once more than N slow handlers were cancelled.
                Some(count) => {
                    let count = count
                        .parse()
                        .map_err(|_| HandlerError::new("`dropped>` takes a count"))?;
                    Ok(dropped_beyond(count).await)
                }
                None => Ok(u64::MAX),
            },
        }
    }
}

/// Starts "jobs" that report through `JobEvents` to the calling connection.
pub struct JobsBackend;

impl Jobs for JobsBackend {
    async fn start(&self, ctx: CallContext, name: String) -> Result<String, HandlerError> {
        let events = JobEventsSender::to(ctx.host(), ctx.connection());
        let job = format!("job-{name}");
        events.started(job.clone())?;
        events.progress(job.clone(), 50.0, Some("half way".into()))?;
        events.log(LogLine {
            level: Level::Warning,
            message: "ünïcode ✓ 𝄞".into(),
            timestamp: i64::MIN,
        })?;
        events.progress(job.clone(), 100.0, None)?;
        events.finished(job.clone(), true)?;
        Ok(job)
    }

    async fn cancel(&self, _ctx: CallContext, job_id: String) -> Result<bool, HandlerError> {
        Ok(job_id.starts_with("job-"))
    }
}

/// The multi-file example: a package's types across modules.
pub struct GreeterBackend;

/// The one person the greeter knows.
pub fn alice() -> Person {
    Person {
        id: 1,
        name: "Alice".into(),
        age: Some(u32::MAX),
        tags: vec!["a".into(), String::new()],
        mood: Mood::Indifferent,
    }
}

impl Greeter for GreeterBackend {
    async fn greet(&self, ctx: CallContext, name: String) -> Result<String, HandlerError> {
        GreeterEventsSender::all(ctx.host()).person_added(Person {
            id: -1,
            name: name.clone(),
            age: None,
            tags: vec![],
            mood: Mood::Happy,
        })?;
        Ok(format!("Hello, {name}!"))
    }

    async fn find_person(
        &self,
        _ctx: CallContext,
        id: PersonId,
    ) -> Result<Person, Raised<LookupError>> {
        match id {
            1 => Ok(alice()),
            403 => Err(LookupError::Forbidden.into()),
            _ => Err(LookupError::NotFound { id }.into()),
        }
    }

    async fn list(
        &self,
        _ctx: CallContext,
        prefix: Option<String>,
    ) -> Result<Vec<Person>, HandlerError> {
        let everyone = vec![alice()];
        Ok(everyone
            .into_iter()
            .filter(|p| prefix.as_deref().is_none_or(|pre| p.name.starts_with(pre)))
            .collect())
    }

    async fn set_mood(
        &self,
        ctx: CallContext,
        id: PersonId,
        mood: Mood,
    ) -> Result<(), HandlerError> {
        GreeterEventsSender::to(ctx.host(), ctx.connection())
            .progress(100.0, format!("{id} is now {mood:?}"))?;
        Ok(())
    }
}

/// The dotted-packages example: types of `acme.people` and `acme.jobs` (Rust modules
/// `acme::people` and `acme::jobs`) used by an interface of `acme.staffing`.
pub struct StaffingBackend;

/// The one person already on the staff.
pub fn ada() -> StaffMember {
    StaffMember {
        id: i64::MIN,
        name: "Ada".into(),
        skills: vec!["engines".into(), "notes".into()],
    }
}

impl Staffing for StaffingBackend {
    async fn hire(
        &self,
        ctx: CallContext,
        person: StaffMember,
        job: Job,
    ) -> Result<Assignment, Raised<HireError>> {
        if job.id == 0 {
            return Err(HireError::UnknownJob { id: job.id }.into());
        }
        if person.id == ada().id {
            return Err(HireError::AlreadyStaffed { by: person.id }.into());
        }
        let assignment = Assignment {
            person,
            previous: (job.level != JobLevel::Junior).then(|| Job {
                id: job.id - 1,
                title: "apprentice".into(),
                level: JobLevel::Junior,
            }),
            job,
        };
        // A notification failing to go out does not fail the hire.
        let _ = StaffingEventsSender::to(ctx.host(), ctx.connection()).hired(assignment.clone());
        Ok(assignment)
    }

    async fn roster(&self, _ctx: CallContext, level: JobLevel) -> Result<Roster, HandlerError> {
        let people = match level {
            JobLevel::Lead => vec![ada()],
            _ => vec![],
        };
        Ok(Roster { level, people })
    }
}

/// Keywords everywhere: proves escaped names work at run time, not only compile.
pub struct KeywordyBackend;

impl kw::Keywordy for KeywordyBackend {
    async fn r#type(
        &self,
        _ctx: CallContext,
        self_: kw::Result,
        r#fn: Option<kw::Option>,
        r#async: Option<kw::Error>,
    ) -> Result<kw::Map, HandlerError> {
        let mut entries = BTreeMap::new();
        entries.insert("self".to_string(), format!("{self_:?}"));
        entries.insert("fn".to_string(), format!("{fn:?}", fn = r#fn));
        entries.insert("async".to_string(), format!("{a:?}", a = r#async));
        Ok(kw::Map { entries })
    }

    async fn r#match(
        &self,
        _ctx: CallContext,
        r#where: kw::String,
        r#in: kw::Vec,
        r#box: kw::Box,
    ) -> Result<kw::Uint8Array, Raised<kw::Error>> {
        if r#where.text == "error" {
            return Err(kw::Error {
                message: "where is error".into(),
            }
            .into());
        }
        let data = r#in
            .items
            .iter()
            .chain(r#box.items.iter())
            .map(|i| *i as u8)
            .collect();
        Ok(kw::Uint8Array { data })
    }

    async fn delete(
        &self,
        _ctx: CallContext,
        new: kw::Keyword,
        default: kw::Keywords,
    ) -> Result<kw::Object, HandlerError> {
        Ok(kw::Object {
            key: format!(
                "{new:?}/{}/{}/{}",
                default.r#type, default.self_, default.prototype
            ),
        })
    }

    async fn constructor(
        &self,
        _ctx: CallContext,
        then: kw::Date,
    ) -> Result<kw::Symbol, HandlerError> {
        let kw::Date::Today = then;
        Ok(kw::Symbol::Minus)
    }

    async fn to_string(&self, _ctx: CallContext, array: kw::Array) -> Result<String, HandlerError> {
        fn count(array: &kw::Array) -> usize {
            1 + array.items.iter().map(count).sum::<usize>()
        }
        Ok(count(&array).to_string())
    }
}

/// The generator's corner cases (`tests/idl/edge-cases.ipc`) at run time.
pub struct EdgyBackend;

#[allow(deprecated)] // `old` takes the deprecated `Legacy`: implementing it is the point.
impl crate::edge_cases::Edgy for EdgyBackend {
    async fn locals(
        &self,
        _ctx: CallContext,
        ctx: String,
        args: String,
        handler: String,
        value: String,
        method: String,
        error: String,
    ) -> Result<String, HandlerError> {
        Ok([ctx, args, handler, value, method, error].join(","))
    }

    async fn many(
        &self,
        _ctx: CallContext,
        a: i8,
        b: i16,
        c: i32,
        d: i64,
        e: u8,
        f: u16,
        g: u32,
        h: u64,
    ) -> Result<u64, HandlerError> {
        let signed = (i64::from(a) + i64::from(b) + i64::from(c)).wrapping_add(d);
        let unsigned = u64::from(e) + u64::from(f) + u64::from(g);
        Ok(h.wrapping_add(unsigned).wrapping_add(signed as u64))
    }

    async fn new(&self, _ctx: CallContext) -> Result<(), HandlerError> {
        Ok(())
    }

    async fn with_options(
        &self,
        _ctx: CallContext,
        empty: crate::edge_cases::Empty,
    ) -> Result<crate::edge_cases::Empty, HandlerError> {
        Ok(empty)
    }

    async fn chain(
        &self,
        _ctx: CallContext,
        chain: crate::edge_cases::Chain,
        keyed: BTreeMap<crate::edge_cases::Key, crate::edge_cases::Chain>,
        last: Option<crate::edge_cases::Chain>,
    ) -> Result<Option<crate::edge_cases::Chain>, HandlerError> {
        // Appends every keyed chain (in key order), then `last`, to the end of `chain`.
        let mut values = Vec::new();
        let mut all = vec![chain];
        all.extend(keyed.into_values());
        all.extend(last);
        for mut link in all {
            loop {
                values.push(link.value);
                match link.next {
                    Some(next) => link = *next,
                    None => break,
                }
            }
        }
        Ok(values.into_iter().rev().fold(None, |next, value| {
            Some(crate::edge_cases::Chain {
                value,
                next: next.map(Box::new),
            })
        }))
    }

    async fn shadows(
        &self,
        _ctx: CallContext,
        h: crate::edge_cases::H,
    ) -> Result<crate::edge_cases::H, HandlerError> {
        Ok(h)
    }

    async fn old(
        &self,
        _ctx: CallContext,
        legacy: crate::edge_cases::Legacy,
    ) -> Result<crate::edge_cases::Legacy, HandlerError> {
        Ok(legacy)
    }
}
