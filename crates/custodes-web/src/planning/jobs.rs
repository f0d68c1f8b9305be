//! Optimisations that run in the background. Starting one returns at once with the id of
//! its job; the job solves on a blocking thread, keeps the optimiser's latest progress,
//! and ends with the id of the plan it saved or the reason there is none, in words.
//!
//! A job is seen and stopped only by the person who started it: the numbers of a search
//! come from every programme of the portfolio, which that person may read and others may
//! not, so no role (not even an administrator) sees another person's jobs. At most
//! [`Jobs::limit`] solves run at once, because each keeps a processor core busy; ended jobs
//! are kept for [`KEEP`], then dropped. Stopping the server stops every job under way, and
//! each keeps and saves the best plan it found.
//!
//! The registry lives in the memory of the process, not in the database: a job is known
//! only to the server process that runs it, and is lost when it stops (its plan, once
//! saved, is in the database like any other).

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use custodes_core::planning::SolveSettings;
use custodes_core::{PlanId, UserId, WorkspaceId};
use custodes_optimise::{Progress, Stage, Stop};
use tokio::sync::watch;

/// How long an ended job is kept, so that its page can still send its owner to the plan.
pub const KEEP: Duration = Duration::from_secs(10 * 60);

/// How many solves run at once unless the server is told otherwise: two, because the
/// machines Custodes is first meant for have two cores and each solve keeps one busy.
pub const DEFAULT_LIMIT: usize = 2;

/// The id of a job: random, so that it says nothing about other jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JobId(uuid::Uuid);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for JobId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(JobId)
    }
}

/// What a job optimises, as its pages and the API describe it.
#[derive(Clone, Debug, PartialEq)]
pub struct About {
    /// The scenario's key.
    pub scenario_key: String,
    /// The scenario's name.
    pub scenario: String,
    /// The name the plan will have.
    pub name: String,
    /// The time limit and gap tolerance.
    pub settings: SolveSettings,
}

/// The state of the search, from the optimiser's latest report of it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Search {
    /// The best plan's weighted gap so far, once a plan is found.
    pub incumbent: Option<f64>,
    /// The lowest weighted gap proven possible so far.
    pub bound: f64,
    /// The relative gap between the two, once a plan is found.
    pub gap: Option<f64>,
    /// Branch-and-bound nodes explored.
    pub nodes: i64,
}

/// How a job ended.
#[derive(Clone, Debug, PartialEq)]
pub enum End {
    /// The plan was saved, with this id.
    Plan(PlanId),
    /// No plan was saved, for this reason (a sentence without its capital).
    Failed(String),
}

/// Where a job stands, in one word for the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Solving.
    Running,
    /// Asked to stop, and finishing: keeping and explaining the best plan so far.
    Stopping,
    /// Ended with a saved plan.
    Succeeded,
    /// Ended without a plan.
    Failed,
}

impl JobState {
    /// The stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Stopping => "stopping",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
        }
    }
}

/// A job as it stands at one moment: what its page and the API show.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// Its id.
    pub id: JobId,
    /// The workspace whose portfolio it optimises.
    pub workspace: WorkspaceId,
    /// What it optimises.
    pub about: About,
    /// When it started (RFC 3339, UTC).
    pub started_at: String,
    /// How long it has run, or ran.
    pub elapsed: Duration,
    /// The optimiser's latest report, if any.
    pub latest: Option<Progress>,
    /// The search's latest state, if it has begun.
    pub search: Option<Search>,
    /// True once a stop was asked for.
    pub stopping: bool,
    /// How it ended, once it has.
    pub end: Option<End>,
}

impl Snapshot {
    /// Where it stands.
    pub fn state(&self) -> JobState {
        match (&self.end, self.stopping) {
            (Some(End::Plan(_)), _) => JobState::Succeeded,
            (Some(End::Failed(_)), _) => JobState::Failed,
            (None, true) => JobState::Stopping,
            (None, false) => JobState::Running,
        }
    }

    /// What the optimiser is doing, in a sentence.
    pub fn stage(&self) -> String {
        match (&self.end, self.stopping, &self.latest) {
            (Some(End::Plan(_)), _, _) => "The plan is saved.".into(),
            (Some(End::Failed(_)), _, _) => "The optimisation ended without a plan.".into(),
            (None, true, Some(Progress::Explaining | Progress::Finished { .. })) => {
                "Stopped: explaining and saving the best plan found.".into()
            }
            (None, true, _) => {
                "Stopping: the best plan found so far will be explained and saved.".into()
            }
            (None, false, None) => "Building the model of the portfolio.".into(),
            (None, false, Some(p)) => match p {
                Progress::Started { columns, rows } => format!(
                    "Starting the search: the model has {columns} variables and {rows} constraints."
                ),
                Progress::Searching {
                    incumbent: None, ..
                } => "Searching: no plan that keeps every rule has been found yet.".into(),
                Progress::Searching { .. } => {
                    "Searching for a better plan, and proving how close the best one is to the best possible.".into()
                }
                Progress::Solved {
                    stage: Stage::Gap, ..
                } => "The best plan is found: choosing the cheapest among plans that close the gap as well.".into(),
                Progress::Solved {
                    stage: Stage::TieBreak,
                    ..
                }
                | Progress::Explaining => {
                    "Explaining the plan: the rules that bind, the value of money and why each programme was left out.".into()
                }
                Progress::Finished { .. } => "Saving the plan.".into(),
            },
        }
    }
}

/// One job.
#[derive(Debug)]
struct Job {
    id: JobId,
    owner: UserId,
    workspace: WorkspaceId,
    about: About,
    started: Instant,
    started_at: String,
    stop: Stop,
    state: Mutex<State>,
    /// Becomes true when the job ends, for those waiting on it.
    ended: watch::Sender<bool>,
}

#[derive(Debug, Default)]
struct State {
    latest: Option<Progress>,
    search: Option<Search>,
    end: Option<(Instant, End)>,
}

impl Job {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held cannot leave the state half-written (each
        // update is one assignment), so a poisoned lock is used as it is.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn snapshot(&self) -> Snapshot {
        let state = self.state();
        let elapsed = match &state.end {
            Some((at, _)) => at.duration_since(self.started),
            None => self.started.elapsed(),
        };
        Snapshot {
            id: self.id,
            workspace: self.workspace,
            about: self.about.clone(),
            started_at: self.started_at.clone(),
            elapsed,
            latest: state.latest.clone(),
            search: state.search,
            stopping: self.stop.is_stopped(),
            end: state.end.as_ref().map(|(_, e)| e.clone()),
        }
    }

    fn ended_at(&self) -> Option<Instant> {
        self.state().end.as_ref().map(|(at, _)| *at)
    }

    fn end(&self, end: End) {
        let mut state = self.state();
        if state.end.is_none() {
            state.end = Some((Instant::now(), end));
        }
        drop(state);
        self.ended.send_replace(true);
    }
}

/// What a job's work is handed: where to report progress, and the switch that stops it.
#[derive(Clone, Debug)]
pub struct Handle(Arc<Job>);

impl Handle {
    /// Keeps the optimiser's latest report.
    pub fn hear(&self, p: Progress) {
        let mut state = self.0.state();
        match &p {
            Progress::Searching {
                incumbent,
                bound,
                gap,
                nodes,
                ..
            } => {
                state.search = Some(Search {
                    incumbent: *incumbent,
                    bound: *bound,
                    gap: *gap,
                    nodes: *nodes,
                });
            }
            Progress::Solved {
                stage: Stage::Gap,
                incumbent,
                bound,
                gap,
                ..
            } => {
                let nodes = state.search.map_or(0, |s| s.nodes);
                state.search = Some(Search {
                    incumbent: Some(*incumbent),
                    bound: *bound,
                    gap: Some(*gap),
                    nodes,
                });
            }
            _ => {}
        }
        state.latest = Some(p);
    }

    /// The switch that stops the job's solve.
    pub fn stop(&self) -> &Stop {
        &self.0.stop
    }
}

/// Why a job was not started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Busy {
    /// How many solves run at once.
    pub limit: usize,
}

impl fmt::Display for Busy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plans = if self.limit == 1 { "plan" } else { "plans" };
        write!(
            f,
            "this server is already optimising {} {plans}, as many as it runs at once; try again when one has finished",
            self.limit
        )
    }
}

impl std::error::Error for Busy {}

/// The jobs of this server process. Clones share the registry.
#[derive(Clone)]
pub struct Jobs(Arc<Registry>);

struct Registry {
    jobs: Mutex<HashMap<JobId, Arc<Job>>>,
    limit: usize,
    keep: Duration,
    /// How many jobs are running, for the limit and for waiting at shutdown.
    running: watch::Sender<usize>,
}

impl fmt::Debug for Jobs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jobs")
            .field("limit", &self.0.limit)
            .field("running", &*self.0.running.borrow())
            .finish_non_exhaustive()
    }
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs::new(DEFAULT_LIMIT)
    }
}

/// Counts a running job until its task ends, however it ends: a job whose work panicked
/// or was cancelled is ended as failed and no longer counted.
struct Running {
    job: Arc<Job>,
    registry: Arc<Registry>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.job.ended_at().is_none() {
            tracing::error!(job = %self.job.id, "an optimisation ended without an outcome");
            self.job.end(End::Failed(
                "the optimisation stopped unexpectedly; the problem has been logged".into(),
            ));
        }
        self.registry
            .running
            .send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Jobs {
    /// A registry that runs at most `limit` solves at once (at least one).
    pub fn new(limit: usize) -> Jobs {
        Jobs::with_keep(limit, KEEP)
    }

    /// A registry that keeps ended jobs for `keep` instead of [`KEEP`].
    pub fn with_keep(limit: usize, keep: Duration) -> Jobs {
        Jobs(Arc::new(Registry {
            jobs: Mutex::new(HashMap::new()),
            limit: limit.max(1),
            keep,
            running: watch::Sender::new(0),
        }))
    }

    /// How many solves run at once.
    pub fn limit(&self) -> usize {
        self.0.limit
    }

    fn jobs(&self) -> MutexGuard<'_, HashMap<JobId, Arc<Job>>> {
        // Every change to the map is one insert or retain, so a poisoned lock still holds
        // a whole map.
        let mut jobs = self.0.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let keep = self.0.keep;
        jobs.retain(|_, j| j.ended_at().is_none_or(|at| at.elapsed() < keep));
        jobs
    }

    /// Starts `work` as a job of `owner` in `workspace`, or refuses when [`Jobs::limit`]
    /// solves are running. `work` is handed the job's [`Handle`] and returns the id of
    /// the plan it saved, or the reason there is none in words. It runs on the tokio
    /// runtime of the caller.
    pub fn start<F, Fut>(
        &self,
        owner: UserId,
        workspace: WorkspaceId,
        about: About,
        work: F,
    ) -> Result<JobId, Busy>
    where
        F: FnOnce(Handle) -> Fut,
        Fut: Future<Output = Result<PlanId, String>> + Send + 'static,
    {
        let mut jobs = self.jobs();
        if *self.0.running.borrow() >= self.0.limit {
            return Err(Busy {
                limit: self.0.limit,
            });
        }
        let job = Arc::new(Job {
            id: JobId(uuid::Uuid::new_v4()),
            owner,
            workspace,
            about,
            started: Instant::now(),
            started_at: crate::now_stored(),
            stop: Stop::new(),
            state: Mutex::new(State::default()),
            ended: watch::Sender::new(false),
        });
        let id = job.id;
        jobs.insert(id, job.clone());
        self.0.running.send_modify(|n| *n += 1);
        drop(jobs);
        let running = Running {
            job: job.clone(),
            registry: self.0.clone(),
        };
        let future = work(Handle(job.clone()));
        tokio::spawn(async move {
            let running = running;
            let end = match future.await {
                Ok(plan) => End::Plan(plan),
                Err(reason) => End::Failed(reason),
            };
            running.job.end(end);
        });
        Ok(id)
    }

    /// The job `id` as it stands, if `owner` started it; `None` for an unknown id, a job
    /// dropped after [`KEEP`], and a job of anybody else alike.
    pub fn find(&self, id: &str, owner: UserId) -> Option<Snapshot> {
        self.job(id, owner).map(|j| j.snapshot())
    }

    fn job(&self, id: &str, owner: UserId) -> Option<Arc<Job>> {
        let id: JobId = id.parse().ok()?;
        self.jobs().get(&id).filter(|j| j.owner == owner).cloned()
    }

    /// Asks the job `id` of `owner` to stop, and returns it as it stands, like
    /// [`Jobs::find`]. Stopping an ended job changes nothing.
    pub fn stop(&self, id: &str, owner: UserId) -> Option<Snapshot> {
        let job = self.job(id, owner)?;
        if job.ended_at().is_none() {
            job.stop.stop();
        }
        Some(job.snapshot())
    }

    /// Waits until the job `id` of `owner` ends and returns it; `None` as for
    /// [`Jobs::find`].
    pub async fn wait(&self, id: JobId, owner: UserId) -> Option<Snapshot> {
        let job = self.job(&id.to_string(), owner)?;
        let mut ended = job.ended.subscribe();
        // The sender lives in the job, which this function holds, so it cannot close.
        let _ = ended.wait_for(|e| *e).await;
        Some(job.snapshot())
    }

    /// The jobs `owner` started in `workspace`, the newest first.
    pub fn of(&self, owner: UserId, workspace: WorkspaceId) -> Vec<Snapshot> {
        let mut out: Vec<(Instant, Snapshot)> = self
            .jobs()
            .values()
            .filter(|j| j.owner == owner && j.workspace == workspace)
            .map(|j| (j.started, j.snapshot()))
            .collect();
        out.sort_by_key(|(started, _)| std::cmp::Reverse(*started));
        out.into_iter().map(|(_, s)| s).collect()
    }

    /// Asks every running job to stop (when the server shuts down); each keeps and saves
    /// the best plan it found.
    pub fn stop_all(&self) {
        for job in self.jobs().values() {
            if job.ended_at().is_none() {
                job.stop.stop();
            }
        }
    }

    /// Waits until no job is running, or `timeout` has passed; true when none is.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let mut running = self.0.running.subscribe();
        tokio::time::timeout(timeout, running.wait_for(|n| *n == 0))
            .await
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn about() -> About {
        About {
            scenario_key: "baseline".into(),
            scenario: "Baseline".into(),
            name: "Plan".into(),
            settings: SolveSettings::default(),
        }
    }

    fn ids() -> (UserId, UserId, WorkspaceId) {
        let u = || UserId::from_uuid(uuid::Uuid::new_v4());
        (u(), u(), WorkspaceId::from_uuid(uuid::Uuid::new_v4()))
    }

    /// Work that reports a search and runs until it is stopped, then ends without a plan.
    async fn until_stopped(h: Handle) -> Result<PlanId, String> {
        h.hear(Progress::Searching {
            incumbent: Some(12.5),
            bound: 10.0,
            gap: Some(0.2),
            nodes: 7,
            seconds: 0.1,
        });
        while !h.stop().is_stopped() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Err("stopped".into())
    }

    #[tokio::test]
    async fn a_job_is_its_owners_and_ends_with_its_work() {
        let jobs = Jobs::new(2);
        let (me, other, ws) = ids();
        let plan = PlanId::from_uuid(uuid::Uuid::new_v4());
        let id = jobs
            .start(me, ws, about(), move |_| async move { Ok(plan) })
            .unwrap();
        let done = jobs.wait(id, me).await.unwrap();
        assert_eq!(done.end, Some(End::Plan(plan)));
        assert_eq!(done.state(), JobState::Succeeded);
        assert!(jobs.find(&id.to_string(), other).is_none());
        assert!(jobs.stop(&id.to_string(), other).is_none());
        assert!(jobs.find("not-an-id", me).is_none());
        assert_eq!(jobs.of(me, ws).len(), 1);
        assert!(jobs.of(other, ws).is_empty());
        assert!(jobs.wait_idle(Duration::from_secs(1)).await);
    }

    #[tokio::test]
    async fn the_limit_refuses_a_job_until_one_ends() {
        let jobs = Jobs::new(1);
        let (me, _, ws) = ids();
        let first = jobs.start(me, ws, about(), until_stopped).unwrap();
        let refused = jobs.start(me, ws, about(), until_stopped).unwrap_err();
        assert_eq!(refused, Busy { limit: 1 });
        assert_eq!(
            refused.to_string(),
            "this server is already optimising 1 plan, as many as it runs at once; try again when one has finished"
        );
        // The job's task runs once this one waits.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let running = jobs.find(&first.to_string(), me).unwrap();
        assert_eq!(running.state(), JobState::Running);
        assert_eq!(running.search.unwrap().nodes, 7);
        let stopping = jobs.stop(&first.to_string(), me).unwrap();
        assert_eq!(stopping.state(), JobState::Stopping);
        let ended = jobs.wait(first, me).await.unwrap();
        assert_eq!(ended.end, Some(End::Failed("stopped".into())));
        assert!(jobs.wait_idle(Duration::from_secs(1)).await);
        jobs.start(me, ws, about(), |_| async { Err("no".into()) })
            .unwrap();
    }

    #[tokio::test]
    async fn stopping_all_ends_every_running_job() {
        let jobs = Jobs::new(3);
        let (me, other, ws) = ids();
        jobs.start(me, ws, about(), until_stopped).unwrap();
        jobs.start(other, ws, about(), until_stopped).unwrap();
        assert!(!jobs.wait_idle(Duration::from_millis(50)).await);
        jobs.stop_all();
        assert!(jobs.wait_idle(Duration::from_secs(5)).await);
    }

    #[tokio::test]
    async fn ended_jobs_are_dropped_after_a_while() {
        let jobs = Jobs::with_keep(1, Duration::from_millis(20));
        let (me, _, ws) = ids();
        let id = jobs
            .start(me, ws, about(), |_| async { Err("no".into()) })
            .unwrap();
        jobs.wait(id, me).await.unwrap();
        assert!(jobs.find(&id.to_string(), me).is_some());
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert!(jobs.find(&id.to_string(), me).is_none());
    }

    async fn panics() -> Result<PlanId, String> {
        panic!("a bug in the work")
    }

    #[tokio::test]
    async fn a_job_whose_work_panics_ends_as_failed() {
        let jobs = Jobs::new(1);
        let (me, _, ws) = ids();
        let id = jobs.start(me, ws, about(), |_| panics()).unwrap();
        let ended = jobs.wait(id, me).await.unwrap();
        assert_eq!(ended.state(), JobState::Failed);
        assert!(jobs.wait_idle(Duration::from_secs(1)).await);
    }
}
