//! The health endpoint load balancers and operators poll.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::AppState;

#[derive(Serialize)]
pub(crate) struct Health {
    status: &'static str,
    database: &'static str,
    version: &'static str,
}

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
pub(crate) async fn check(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let db_ok = state.store.ping().await.is_ok();
    let code = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        Json(Health {
            status: if db_ok { "ok" } else { "unavailable" },
            database: if db_ok { "ok" } else { "unreachable" },
            version: state.instance.version,
        }),
    )
}
