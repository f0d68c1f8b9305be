//! The web interface of Custodes: server-rendered pages, the JSON API and the assets they
//! need, all embedded in the binary so that an instance runs offline.
//!
//! Architecture invariant: handlers move data between HTTP and the store; rules live in
//! `custodes-core`, SQL in `custodes-store`.

mod assets;
mod error;
mod health;
mod landing;
mod security;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use custodes_store::Store;
use tower_http::trace::TraceLayer;

pub use error::WebError;

/// What a running instance says about itself.
#[derive(Clone, Debug)]
pub struct Instance {
    /// The name shown in page titles and the header ("Custodes — Republic of Arvenia").
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
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(landing::page))
        .route("/healthz", get(health::check))
        .route("/assets/{*path}", get(assets::serve))
        .fallback(error::not_found);
    security::with_headers(routes)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes, then finishes the
/// requests under way.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
