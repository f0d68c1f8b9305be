//! The web interface of Custodes: server-rendered pages, the JSON API and its OpenAPI
//! document, and the assets they need, all embedded in the binary so that an instance
//! runs offline.
//!
//! Architecture invariant: handlers move data between HTTP and the store. Rules live in
//! `custodes-core` (permissions, the access policy, validation), SQL in
//! `custodes-store`; every read passes the visitor's viewer to the store.

mod account;
mod actors;
mod admin;
mod api;
mod api_assessments;
mod api_planning;
mod api_planning_rules;
pub mod api_strategy;
mod assessments;
mod assets;
mod auth;
mod chrome;
mod error;
mod form;
mod frameworks;
mod goals;
mod health;
mod home;
pub mod planning;
mod sector;
mod security;
mod signin;
mod strategies;
mod threats;
mod tokens;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::routing::{get, post};
use custodes_store::Store;
use custodes_store::session::SessionLimits;
use tower_http::trace::TraceLayer;

pub use error::WebError;

/// What a running instance says about itself.
#[derive(Clone, Debug)]
pub struct Instance {
    /// The name shown in page titles and the header ("Custodes – Republic of Arvenia").
    pub name: String,
    /// The program's version.
    pub version: &'static str,
}

/// Everything a handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The instance's description.
    pub instance: Instance,
    /// How long sessions last.
    pub limits: SessionLimits,
    /// The optimisations running in the background.
    pub jobs: planning::jobs::Jobs,
}

/// Today's date, for the access policy's declassification dates. The edge reads the
/// clock; the core is handed the date.
pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Now, in the form the store keeps times in (RFC 3339, UTC, milliseconds), to compare
/// with stored times.
pub(crate) fn now_stored() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A strong password for a new account.
pub(crate) fn generate_password() -> String {
    custodes_store::password::generate()
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(home::page))
        .route("/workspaces", get(home::workspaces))
        .route("/sign-in", get(signin::page).post(signin::submit))
        .route("/sign-out", post(signin::sign_out))
        .route("/frameworks", get(frameworks::list))
        .route("/frameworks/{id}", get(frameworks::show))
        .route("/w/{slug}/actors", get(actors::list))
        .route("/w/{slug}/map", get(sector::map))
        .route(
            "/w/{slug}/actors/{id}/relations",
            post(sector::add_relation),
        )
        .route(
            "/w/{slug}/relations/{rid}/delete",
            post(sector::delete_relation),
        )
        .route("/w/{slug}/actors.csv", get(actors::export_csv))
        .route(
            "/w/{slug}/actors/new",
            get(actors::new_form).post(actors::create),
        )
        .route("/w/{slug}/actors/{id}", get(actors::show))
        .route(
            "/w/{slug}/actors/{id}/edit",
            get(actors::edit_form).post(actors::update),
        )
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route(
            "/admin/users/{username}",
            get(admin::user).post(admin::update_user),
        )
        .route(
            "/admin/compartments",
            get(admin::compartments).post(admin::create_compartment),
        )
        .route("/admin/permissions", get(admin::permissions))
        .route("/admin/audit", get(admin::audit))
        .route("/account/tokens", get(tokens::list).post(tokens::submit))
        .route(
            "/account/security",
            get(account::show).post(account::submit),
        )
        .route("/api/docs", get(api::docs))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/frameworks", get(api::frameworks))
        .route("/api/v1/frameworks/{id}", get(api::framework))
        .route("/api/v1/workspaces", get(api::workspaces))
        .route(
            "/api/v1/workspaces/{slug}/actors",
            get(api::list_actors).post(api::create_actor),
        )
        .route("/api/v1/actors/{id}", get(api::get_actor))
        .route("/api/v1/workspaces/{slug}/relations", get(api::relations))
        .route("/api/v1/workspaces/{slug}/checks", get(api::checks))
        .route("/api/v1/tokens", get(api::tokens))
        .route("/api/v1/compartments", get(api::compartments))
        .route("/api/v1/users", get(api::users))
        .route("/api/v1/permissions", get(api::permissions))
        .route("/api/v1/audit", get(api::audit))
        .merge(api_assessments::routes())
        .route("/healthz", get(health::check))
        .route("/assets/{*path}", get(assets::serve))
        .merge(assessments::routes())
        .merge(strategies::routes())
        .merge(planning::routes())
        .fallback(error::not_found);
    security::with_headers(routes)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// How long the server waits at shutdown for stopped optimisations to save their plans.
const SAVE_AT_SHUTDOWN: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves the application on `listener` until `shutdown` completes, then stops the
/// optimisations under way (each saves the best plan it found) and finishes the requests
/// under way.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let jobs = state.jobs.clone();
    let stopping = jobs.clone();
    let shutdown = async move {
        shutdown.await;
        stopping.stop_all();
    };
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    jobs.stop_all();
    if !jobs.wait_idle(SAVE_AT_SHUTDOWN).await {
        tracing::warn!("stopped optimisations were still saving their plans at shutdown");
    }
    served
}
