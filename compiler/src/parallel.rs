//! Independent pieces of work spread over the process's cores, with results in order.
//!
//! The stages that split large inputs (lowering, schema hashes, Rust layout and formatting) and
//! the two generators run side by side ([`join`]) share this, so each gets the same two
//! guarantees: the result does not depend on how many threads ran, and a thread the OS refuses
//! to start (out of threads or memory) costs time, never a panic.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Cores available to this process: 1 when unknown, and exactly what an affinity mask or a
/// cgroup quota allows.
pub(crate) fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Applies `work` to every piece and returns the results in the pieces' order.
///
/// The calling thread works, and so do up to `threads - 1` scoped threads: each takes the next
/// piece from a shared counter, so pieces of uneven cost still balance. A thread that cannot be
/// started is left out and the others take its share. A panic in `work` is passed on as it
/// would be without threads.
pub(crate) fn map_in_order<P, O>(
    pieces: Vec<P>,
    threads: usize,
    work: impl Fn(P) -> O + Sync,
) -> Vec<O>
where
    P: Send,
    O: Send,
{
    let count = pieces.len();
    if threads <= 1 || count <= 1 {
        return pieces.into_iter().map(work).collect();
    }
    // Each piece is moved out of its slot by whichever thread takes its index, so a piece is
    // also freed on the thread that worked on it.
    let slots: Vec<Mutex<Option<P>>> = pieces.into_iter().map(|p| Mutex::new(Some(p))).collect();
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = slots.get(index) else {
                return done;
            };
            let piece = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(piece) = piece {
                done.push((index, work(piece)));
            }
        }
    };
    let finished: Vec<(usize, O)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads.min(count))
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, worker).ok())
            .collect();
        let mut finished = worker();
        for helper in helpers {
            let done = helper
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            finished.extend(done);
        }
        finished
    });
    let mut ordered: Vec<Option<O>> = std::iter::repeat_with(|| None).take(count).collect();
    for (index, result) in finished {
        ordered[index] = Some(result);
    }
    // Every index was taken exactly once (the counter hands each out once, and a panic would
    // have been passed on above), so no slot is empty.
    ordered.into_iter().flatten().collect()
}

/// Runs `a` on the calling thread and `b` on another, when the process has a second core and
/// the OS starts the thread; otherwise `b` after `a`, on the calling thread. A panic in either
/// is passed on as it would be without threads.
pub(crate) fn join<A, B>(a: impl FnOnce() -> A, b: impl FnOnce() -> B + Send) -> (A, B)
where
    B: Send,
{
    if available_threads() <= 1 {
        return (a(), b());
    }
    // `b` waits in a slot: if the thread does not start, the calling thread takes it back.
    let slot = Mutex::new(Some(b));
    let run = || {
        let b = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
        b.map(|b| b())
    };
    std::thread::scope(|scope| {
        let helper = std::thread::Builder::new().spawn_scoped(scope, run).ok();
        let a = a();
        let from_helper = helper.and_then(|helper| {
            helper
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        // The helper ran `b`, or never started (then nobody took it yet).
        let b = from_helper.or_else(run);
        (a, b.expect("`b` runs exactly once"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_pieces_whatever_the_thread_count() {
        let pieces: Vec<u64> = (0..1_000).collect();
        let expected: Vec<u64> = pieces.iter().map(|p| p * p).collect();
        for threads in [1, 2, 3, 8] {
            assert_eq!(map_in_order(pieces.clone(), threads, |p| p * p), expected);
        }
        assert_eq!(map_in_order(Vec::<u64>::new(), 4, |p| p), Vec::<u64>::new());
    }

    #[test]
    fn join_returns_both_results() {
        let (a, b) = join(|| (0..100u64).sum::<u64>(), || "b".repeat(3));
        assert_eq!((a, b.as_str()), (4950, "bbb"));
    }

    #[test]
    fn a_panic_in_a_piece_is_passed_on() {
        let result = std::panic::catch_unwind(|| {
            map_in_order((0..64).collect(), 4, |p: u32| {
                assert!(p != 40, "piece 40");
                p
            })
        });
        assert!(result.is_err());
    }
}
