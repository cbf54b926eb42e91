//! The backend's streams: `Jobs.runJob` reports a job's progress as a stream, and
//! `Jobs.upload` reads the page's file as a stream of chunks.

// guide:start web-app-jobs-use-rs
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures_util::stream::{self, Stream, StreamExt};
use ipcc_runtime::codegen::ItemStream;
use ipcc_runtime::{CallContext, HandlerError, Raised};
use sha2::{Digest, Sha256};

use crate::web_app::{AppEventsSender, JobError, JobOutcome, JobProgress, Jobs, UploadReceipt};
// guide:end web-app-jobs-use-rs

/// The most steps a job may have.
pub const MAX_JOB_STEPS: u32 = 10_000;
/// How long one step of a job works.
pub const JOB_STEP: Duration = Duration::from_millis(40);

/// Runs the pages' jobs and receives their uploads.
#[derive(Default)]
pub struct JobRunner {
    /// Jobs started so far, for their numbers.
    started: AtomicU32,
}

// guide:start web-app-job-rs
/// A job in progress. It lives inside its progress stream, so it goes when the stream goes: at
/// the stream's end, or when the page stopped reading first (`break`, an abort, a closed tab).
/// Either way it tells the page how it ended.
struct Job {
    id: u32,
    done: u32,
    steps: u32,
    page: AppEventsSender,
}

impl Drop for Job {
    fn drop(&mut self) {
        let outcome = if self.done == self.steps {
            JobOutcome::Completed
        } else {
            JobOutcome::Cancelled
        };
        // Fails only when the page has gone, and then there is no one to tell.
        let _ = self.page.job_ended(self.id, outcome, self.done, self.steps);
    }
}
// guide:end web-app-job-rs

impl Jobs for JobRunner {
    // guide:start web-app-run-job-rs
    fn run_job(
        &self,
        ctx: CallContext,
        steps: u32,
    ) -> impl Stream<Item = Result<JobProgress, Raised<JobError>>> + Send {
        if !(1..=MAX_JOB_STEPS).contains(&steps) {
            let refused = Err(JobError::BadSteps { max: MAX_JOB_STEPS }.into());
            return stream::iter([refused]).left_stream();
        }
        let job = Job {
            id: self.started.fetch_add(1, Ordering::Relaxed) + 1,
            done: 0,
            steps,
            page: AppEventsSender::to(ctx.host(), ctx.connection()),
        };
        // One item per step, each made when the host polls for it. When the page stops
        // reading, the host drops the stream, and the job in it.
        stream::unfold(job, |mut job| async move {
            if job.done == job.steps {
                return None;
            }
            tokio::time::sleep(JOB_STEP).await; // the step's work
            job.done += 1;
            let progress = JobProgress {
                job: job.id,
                done: job.done,
                steps: job.steps,
            };
            Some((Ok(progress), job))
        })
        .right_stream()
    }
    // guide:end web-app-run-job-rs

    // guide:start web-app-upload-rs
    async fn upload(
        &self,
        _ctx: CallContext,
        name: String,
        mut chunks: ItemStream<Vec<u8>>,
    ) -> Result<UploadReceipt, HandlerError> {
        let (mut bytes, mut count, mut sha256) = (0, 0, Sha256::new());
        while let Some(chunk) = chunks.next().await {
            bytes += chunk.len() as u64;
            count += 1;
            sha256.update(&chunk);
        }
        Ok(UploadReceipt {
            name,
            bytes,
            chunks: count,
            sha256: format!("{:x}", sha256.finalize()),
        })
    }
    // guide:end web-app-upload-rs
}
