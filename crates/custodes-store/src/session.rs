//! Sessions of signed-in users, sign-in throttling and personal access tokens.
//!
//! Sessions live in the database so that several server processes share them. Sign-in,
//! sign-out, failed sign-ins and token changes are audited. Two writes are housekeeping
//! and are not: the "last seen" time of a session (updated at most once a minute, for idle
//! expiry) and the removal of expired sessions and old failure records.

use std::time::Duration;

use chrono::{DateTime, Utc};
use custodes_core::audit::Actor;
use custodes_core::permission::TokenScope;
use custodes_core::policy::Viewer;
use custodes_core::user::{THROTTLE, User};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

use crate::database::Store;
use crate::error::StoreError;
use crate::secret;

/// A session just opened: the token goes in a cookie, the CSRF token in forms.
#[derive(Clone, Debug)]
pub struct NewSession {
    /// The session token (secret; only its hash is stored).
    pub token: String,
    /// The token every state-changing form must carry.
    pub csrf: String,
}

/// A live session.
#[derive(Clone, Debug)]
pub struct Session {
    /// Who is signed in.
    pub user: User,
    /// What they may see.
    pub viewer: Viewer,
    /// The session's CSRF token.
    pub csrf: String,
}

/// How long sessions last.
#[derive(Clone, Copy, Debug)]
pub struct SessionLimits {
    /// A session unused for this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub absolute: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 60 * 60),
        }
    }
}

/// Why a sign-in failed. The message never says whether the username exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInRefused {
    /// Wrong username or password (or a disabled account).
    Credentials,
    /// Too many recent failures for this account or address.
    Throttled,
    /// The password was right; the account needs its second-factor code.
    CodeNeeded,
    /// The second-factor code was wrong.
    BadCode,
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn later(d: Duration) -> String {
    crate::time::format(
        Utc::now() + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::zero()),
    )
}

#[derive(Serialize)]
struct SignInState<'a> {
    address: &'a str,
}

impl Store {
    /// Signs a user in: checks the throttle, then the password and, when the user set one
    /// up, the second-factor code; then opens a session.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        code: Option<&str>,
        address: &str,
        limits: SessionLimits,
    ) -> Result<Result<(User, NewSession), SignInRefused>, StoreError> {
        let username = username.trim().to_ascii_lowercase();
        let account_key = format!("user:{username}");
        let address_key = format!("addr:{address}");
        let since =
            crate::time::format(Utc::now() - chrono::Duration::seconds(THROTTLE.window_secs));
        let count = |key: String| {
            let since = since.clone();
            async move {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM sign_in_failure WHERE subject = $1 AND at > $2",
                )
                .bind(key)
                .bind(since)
                .fetch_one(&self.pool)
                .await
            }
        };
        let (by_account, by_address) = (
            count(account_key.clone()).await?,
            count(address_key.clone()).await?,
        );
        // Housekeeping, unaudited: failures older than the window and expired sessions.
        sqlx::query("DELETE FROM sign_in_failure WHERE at <= $1")
            .bind(&since)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM user_session WHERE expires_at <= $1")
            .bind(crate::time::now())
            .execute(&self.pool)
            .await?;
        if !THROTTLE.allows(by_account, by_address) {
            return Ok(Err(SignInRefused::Throttled));
        }
        let mut wrong_code = false;
        let user = match self.authenticate(&username, password).await? {
            Some(user) => match self.second_factor_passes(&user, code).await? {
                None | Some(true) => Some(user),
                Some(false) if code.is_none_or(|c| c.trim().is_empty()) => {
                    return Ok(Err(SignInRefused::CodeNeeded));
                }
                Some(false) => {
                    wrong_code = true;
                    None
                }
            },
            None => None,
        };
        let Some(user) = user else {
            let mut tx = self.begin_write().await?;
            let now = crate::time::now();
            for key in [&account_key, &address_key] {
                sqlx::query("INSERT INTO sign_in_failure (subject, at) VALUES ($1, $2)")
                    .bind(key)
                    .bind(&now)
                    .execute(tx.conn())
                    .await?;
            }
            let actor = Actor::Anonymous {
                address: address.to_owned(),
            };
            tx.audit(
                &actor,
                "user.sign_in_failed",
                "username",
                &username,
                None,
                &SignInState { address },
            )
            .await?;
            tx.commit().await?;
            return Ok(Err(if wrong_code {
                SignInRefused::BadCode
            } else {
                SignInRefused::Credentials
            }));
        };
        let session = NewSession {
            token: secret::new_token(),
            csrf: secret::new_token(),
        };
        let now = crate::time::now();
        let id = user.id.to_string();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO user_session (token_hash, user_id, csrf_token, created_at, last_seen_at, \
             expires_at, address) VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(secret::hash(&session.token))
        .bind(&id)
        .bind(&session.csrf)
        .bind(&now)
        .bind(later(limits.absolute))
        .bind(address)
        .execute(tx.conn())
        .await?;
        sqlx::query("DELETE FROM sign_in_failure WHERE subject = $1")
            .bind(&account_key)
            .execute(tx.conn())
            .await?;
        let actor = Actor::User {
            id: user.id,
            username: user.username.clone(),
        };
        tx.audit(
            &actor,
            "user.sign_in",
            "user",
            &id,
            None,
            &SignInState { address },
        )
        .await?;
        tx.commit().await?;
        Ok(Ok((user, session)))
    }

    /// The live session with this token, or `None` when there is none, it expired (idle
    /// or absolute), or its user was disabled.
    pub async fn session(
        &self,
        token: &str,
        limits: SessionLimits,
    ) -> Result<Option<Session>, StoreError> {
        let hash = secret::hash(token);
        let row = sqlx::query(
            "SELECT user_id, csrf_token, last_seen_at, expires_at FROM user_session WHERE token_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user_id: String = row.try_get(0)?;
        let csrf: String = row.try_get(1)?;
        let last_seen = parse_time(&row.try_get::<String, _>(2)?);
        let expires = parse_time(&row.try_get::<String, _>(3)?);
        let now = Utc::now();
        let idle = chrono::Duration::from_std(limits.idle).unwrap_or(chrono::Duration::zero());
        let alive = matches!((last_seen, expires), (Some(seen), Some(exp)) if now < exp && now - seen < idle);
        if !alive {
            // Housekeeping: an expired session is removed without an audit entry.
            sqlx::query("DELETE FROM user_session WHERE token_hash = $1")
                .bind(&hash)
                .execute(&self.pool)
                .await?;
            return Ok(None);
        }
        let Ok(uid) = user_id.parse() else {
            return Ok(None);
        };
        let Some(viewer) = self.viewer(uid).await? else {
            return Ok(None);
        };
        let user = self.user_by_id(uid).await?;
        if last_seen.is_some_and(|seen| now - seen > chrono::Duration::seconds(60)) {
            // Housekeeping: at most once a minute, unaudited.
            sqlx::query("UPDATE user_session SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(crate::time::format(now))
                .bind(&hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(Session { user, viewer, csrf }))
    }

    /// Ends a session.
    pub async fn sign_out(&self, token: &str) -> Result<(), StoreError> {
        let hash = secret::hash(token);
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("DELETE FROM user_session WHERE token_hash = $1 RETURNING user_id")
            .bind(&hash)
            .fetch_optional(tx.conn())
            .await?;
        let Some(row) = row else {
            return Ok(());
        };
        let user_id: String = row.try_get(0)?;
        let user = match user_id.parse() {
            Ok(uid) => self.user_by_id(uid).await?,
            Err(_) => return Ok(()),
        };
        let actor = Actor::User {
            id: user.id,
            username: user.username.clone(),
        };
        tx.audit(
            &actor,
            "user.sign_out",
            "user",
            &user_id,
            None,
            &SignInState { address: "" },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A personal access token, as its owner sees it (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Its id.
    pub id: String,
    /// The name its owner gave it.
    pub name: String,
    /// What it may do.
    pub scope: TokenScope,
    /// When it was made.
    pub created_at: String,
    /// When it stops working.
    pub expires_at: String,
    /// When it was last used.
    pub last_used_at: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<String>,
}

impl Store {
    /// Creates a token for `owner`; returns it and its secret, which is shown once.
    pub async fn create_token(
        &self,
        owner: &User,
        name: &str,
        scope: TokenScope,
        valid_for: Duration,
    ) -> Result<(ApiToken, String), StoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Invalid(
                "name: give the token a name of 1 to 100 characters".into(),
            ));
        }
        let secret = format!("cst_{}", secret::new_token());
        let token = ApiToken {
            id: Uuid::now_v7().to_string(),
            name: name.to_owned(),
            scope,
            created_at: crate::time::now(),
            expires_at: later(valid_for),
            last_used_at: None,
            revoked_at: None,
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO api_token (id, user_id, name, token_hash, scope, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&token.id)
        .bind(owner.id.to_string())
        .bind(&token.name)
        .bind(secret::hash(&secret))
        .bind(scope.as_str())
        .bind(&token.created_at)
        .bind(&token.expires_at)
        .execute(tx.conn())
        .await?;
        let actor = Actor::User {
            id: owner.id,
            username: owner.username.clone(),
        };
        tx.audit(&actor, "token.create", "api_token", &token.id, None, &token)
            .await?;
        tx.commit().await?;
        Ok((token, secret))
    }

    /// The tokens of a user, newest first.
    pub async fn list_tokens(&self, owner: &User) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, scope, created_at, expires_at, last_used_at, revoked_at \
             FROM api_token WHERE user_id = $1 ORDER BY created_at DESC",
        )
        .bind(owner.id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let scope: String = r.try_get(2)?;
                Ok(ApiToken {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    scope: TokenScope::parse(&scope).unwrap_or(TokenScope::Read),
                    created_at: r.try_get(3)?,
                    expires_at: r.try_get(4)?,
                    last_used_at: r.try_get(5)?,
                    revoked_at: r.try_get(6)?,
                })
            })
            .collect()
    }

    /// Revokes one of `owner`'s tokens, on the owner's behalf or an administrator's
    /// (`actor` is who does it).
    pub async fn revoke_token_of(
        &self,
        actor: &Actor,
        owner: &User,
        token_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(crate::time::now())
        .bind(token_id)
        .bind(owner.id.to_string())
        .execute(tx.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                kind: "token",
                key: token_id.to_owned(),
            });
        }
        tx.audit(
            actor,
            "token.revoke",
            "api_token",
            token_id,
            None,
            &token_id,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Revokes one of `owner`'s tokens, as the owner.
    pub async fn revoke_token(&self, owner: &User, token_id: &str) -> Result<(), StoreError> {
        let actor = Actor::User {
            id: owner.id,
            username: owner.username.clone(),
        };
        self.revoke_token_of(&actor, owner, token_id).await
    }

    /// The user and scope of a live token (not revoked, not expired, user enabled).
    pub async fn token_user(
        &self,
        secret: &str,
    ) -> Result<Option<(User, Viewer, TokenScope)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, user_id, scope, expires_at, revoked_at FROM api_token WHERE token_hash = $1",
        )
        .bind(secret::hash(secret))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get(0)?;
        let user_id: String = row.try_get(1)?;
        let scope: String = row.try_get(2)?;
        let expires: String = row.try_get(3)?;
        let revoked: Option<String> = row.try_get(4)?;
        let now = crate::time::now();
        if revoked.is_some() || expires <= now {
            return Ok(None);
        }
        let Ok(uid) = user_id.parse() else {
            return Ok(None);
        };
        let Some(viewer) = self.viewer(uid).await? else {
            return Ok(None);
        };
        let user = self.user_by_id(uid).await?;
        // Housekeeping, unaudited.
        sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE id = $2")
            .bind(&now)
            .bind(&id)
            .execute(&self.pool)
            .await?;
        Ok(Some((
            user,
            viewer,
            TokenScope::parse(&scope).unwrap_or(TokenScope::Read),
        )))
    }
}
