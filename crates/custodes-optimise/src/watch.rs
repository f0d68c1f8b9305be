//! Watching a HiGHS solve while it runs: the state of the branch-and-bound search for the
//! progress indicator, and stopping it when the user asks.
//!
//! The `highs` crate does not expose HiGHS's callbacks, so this module registers one
//! through the C interface of `highs-sys` (the same library the `highs` crate links). It
//! is the only unsafe code in Custodes (see `docs/adr/0003-optimiser.md`).
#![allow(unsafe_code)]

use std::any::Any;
use std::ffi::{c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::Progress;
use highs_sys::{
    Highs_setCallback, Highs_startCallback, HighsCallbackDataIn, HighsCallbackDataOut, STATUS_OK,
    kHighsCallbackMipImprovingSolution, kHighsCallbackMipInterrupt,
};

/// How often, at most, the search reports its state when no better plan was found.
const REPORT_EVERY: f64 = 0.25;

/// A switch that stops a running optimisation; clones share the switch. The optimiser
/// keeps the best plan found so far and explains it, or reports that it had none.
#[derive(Clone, Debug, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// A switch that is off.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the optimisation to stop as soon as it can.
    pub fn stop(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether a stop was asked for.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What a solve tells while it runs, and how it is stopped.
pub(crate) struct Watch<'a> {
    /// Hears `Progress::Searching`, on every better plan and every `REPORT_EVERY` s.
    report: &'a mut dyn FnMut(Progress),
    /// Interrupts the search when set.
    stop: &'a Stop,
    /// The start of the whole optimisation, for the seconds reported.
    clock: Instant,
    /// When the last report was made.
    last: f64,
    /// A panic in `report`, kept to be raised again once HiGHS has returned.
    panic: Option<Box<dyn Any + Send>>,
}

impl std::fmt::Debug for Watch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch")
            .field("stop", self.stop)
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

impl<'a> Watch<'a> {
    pub fn new(report: &'a mut dyn FnMut(Progress), stop: &'a Stop, clock: Instant) -> Self {
        Self {
            report,
            stop,
            clock,
            last: f64::NEG_INFINITY,
            panic: None,
        }
    }

    /// Registers this watch with `highs` for its next solve; false if HiGHS refused. The
    /// watch must outlive that solve, which the borrow in `run` guarantees.
    pub fn attach(&mut self, highs: &mut highs::Model) -> bool {
        let user: *mut Watch<'_> = self;
        let ptr = highs.as_mut_ptr();
        // SAFETY: `ptr` is a live Highs instance; `user` points to this watch, which HiGHS
        // only passes back to `on_search` during the solve that follows, while the caller
        // holds the watch borrowed and touches nothing else of it.
        unsafe {
            Highs_setCallback(ptr, Some(on_search), user.cast()) == STATUS_OK
                && Highs_startCallback(ptr, kHighsCallbackMipInterrupt) == STATUS_OK
                && Highs_startCallback(ptr, kHighsCallbackMipImprovingSolution) == STATUS_OK
        }
    }

    /// Raises again a panic of the report function, once HiGHS has returned.
    pub fn raise_panic(&mut self) {
        if let Some(panic) = self.panic.take() {
            resume_unwind(panic);
        }
    }
}

/// HiGHS's callback: reports the search and asks HiGHS to stop when the user has.
///
/// # Safety
/// HiGHS passes back `user` as given to `Highs_setCallback`: a live `Watch` that nothing
/// else touches while the solve runs; `out` and `data_in` are valid for the call.
unsafe extern "C" fn on_search(
    kind: c_int,
    _message: *const c_char,
    out: *const HighsCallbackDataOut,
    data_in: *mut HighsCallbackDataIn,
    user: *mut c_void,
) {
    if user.is_null() || out.is_null() {
        return;
    }
    // SAFETY: see the function's contract.
    let (watch, out) = unsafe { (&mut *user.cast::<Watch<'_>>(), &*out) };
    if watch.stop.is_stopped() || watch.panic.is_some() {
        if !data_in.is_null() {
            // SAFETY: valid for the call.
            unsafe { (*data_in).user_interrupt = 1 };
        }
        return;
    }
    let now = watch.clock.elapsed().as_secs_f64();
    let improved = kind == kHighsCallbackMipImprovingSolution;
    if !improved && now - watch.last < REPORT_EVERY {
        return;
    }
    watch.last = now;
    let incumbent = (out.mip_primal_bound.is_finite() && out.mip_primal_bound.abs() < 1e300)
        .then_some(out.mip_primal_bound);
    let search = Progress::Searching {
        incumbent,
        bound: out.mip_dual_bound,
        gap: incumbent.and(out.mip_gap.is_finite().then_some(out.mip_gap.max(0.0))),
        nodes: out.mip_node_count,
        seconds: now,
    };
    let report = &mut *watch.report;
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| report(search))) {
        watch.panic = Some(panic);
    }
}
