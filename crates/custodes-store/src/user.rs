//! Users: creation, listing, password changes and disabling, each audited.

use custodes_core::audit::Actor;
use custodes_core::user::{User, check_password, check_username};
use custodes_core::{Level, Role, UserId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::database::Store;
use crate::error::{StoreError, conflict};
use crate::password;
use crate::tx::WriteTx;

/// What is needed to create a user.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// The name to sign in with.
    pub username: String,
    /// The name shown to others (the username when empty).
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The highest level the user may read.
    pub clearance: Level,
    /// The initial password, in clear; it is hashed before it is stored.
    pub password: String,
}

/// The state of a user as the audit digest covers it: everything but the password hash.
#[derive(Serialize)]
struct AuditedUser<'a> {
    id: &'a str,
    username: &'a str,
    display_name: &'a str,
    role: &'a str,
    clearance: &'a str,
    disabled: bool,
}

/// Appends the audit entry of a change to `user`, whose new state the digest covers.
pub(crate) async fn audit_user(
    tx: &mut WriteTx,
    actor: &Actor,
    action: &str,
    user: &User,
) -> Result<i64, StoreError> {
    let id = user.id.to_string();
    let state = AuditedUser {
        id: &id,
        username: &user.username,
        display_name: &user.display_name,
        role: user.role.as_str(),
        clearance: user.clearance.as_str(),
        disabled: user.disabled,
    };
    tx.audit(actor, action, "user", &id, None, &state).await
}

const USER_COLUMNS: &str = "id, username, display_name, role, clearance, disabled";

fn user_from_row(row: &AnyRow) -> Result<User, StoreError> {
    let id: String = row.try_get(0)?;
    let role: String = row.try_get(3)?;
    let clearance: i64 = row.try_get(4)?;
    let disabled: i64 = row.try_get(5)?;
    Ok(User {
        id: id
            .parse()
            .map_err(|_| StoreError::Invalid(format!("stored user id '{id}' is not a UUID")))?,
        username: row.try_get(1)?,
        display_name: row.try_get(2)?,
        role: role
            .parse()
            .map_err(|e| StoreError::Invalid(format!("stored user {id}: {e}")))?,
        clearance: Level::from_rank(clearance).ok_or_else(|| {
            StoreError::Invalid(format!(
                "stored user {id}: clearance rank {clearance} is unknown"
            ))
        })?,
        disabled: disabled != 0,
    })
}

impl Store {
    /// Creates a user. Fails with a conflict when the username is taken.
    pub async fn create_user(&self, actor: &Actor, new: NewUser) -> Result<User, StoreError> {
        let username =
            check_username(&new.username).map_err(|e| StoreError::Invalid(e.to_string()))?;
        check_password(&new.password).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let display_name = match new.display_name.trim() {
            "" => username.clone(),
            name => name.to_owned(),
        };
        let hash = password::hash_blocking(new.password).await;
        let user = User {
            id: UserId::from_uuid(Uuid::now_v7()),
            username,
            display_name,
            role: new.role,
            clearance: new.clearance,
            disabled: false,
        };
        let id = user.id.to_string();
        let now = crate::time::now();

        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO app_user (id, username, display_name, role, clearance, password_hash, \
             disabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7)",
        )
        .bind(&id)
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(user.clearance.rank())
        .bind(&hash)
        .bind(&now)
        .execute(tx.conn())
        .await
        .map_err(|e| {
            conflict(e, || {
                format!("a user named '{}' already exists", user.username)
            })
        })?;
        audit_user(&mut tx, actor, "user.create", &user).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Every user, by username.
    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM app_user ORDER BY username");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// The user with this username.
    pub async fn user_by_username(&self, username: &str) -> Result<User, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM app_user WHERE username = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username.trim())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "user",
                key: username.trim().to_owned(),
            })?;
        user_from_row(&row)
    }

    /// The user with this id.
    pub async fn user_by_id(&self, id: UserId) -> Result<User, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM app_user WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "user",
                key: id.to_string(),
            })?;
        user_from_row(&row)
    }

    /// Checks a username and password; returns the user when both match and the user is
    /// not disabled. The password is checked even for unknown users, so that timing does
    /// not tell which usernames exist.
    pub async fn authenticate(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT id, username, display_name, role, clearance, disabled, password_hash \
             FROM app_user WHERE username = $1",
        )
        .bind(username.trim())
        .fetch_optional(&self.pool)
        .await?;
        // A hash of a throwaway password stands in for unknown users.
        static DECOY: std::sync::LazyLock<String> =
            std::sync::LazyLock::new(|| password::hash("no user has this password"));
        let hash: String = match &row {
            Some(row) => row.try_get(6)?,
            None => DECOY.clone(),
        };
        let ok = password::verify_blocking(password.to_owned(), hash).await;
        match row {
            Some(row) if ok => {
                let user = user_from_row(&row)?;
                Ok((!user.disabled).then_some(user))
            }
            _ => Ok(None),
        }
    }

    /// Sets a new password.
    pub async fn set_password(
        &self,
        actor: &Actor,
        username: &str,
        new_password: String,
    ) -> Result<User, StoreError> {
        check_password(&new_password).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let user = self.user_by_username(username).await?;
        let hash = password::hash_blocking(new_password).await;
        let id = user.id.to_string();
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE app_user SET password_hash = $1, updated_at = $2 WHERE id = $3")
                .bind(&hash)
                .bind(crate::time::now())
                .bind(&id)
                .execute(tx.conn())
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                kind: "user",
                key: username.to_owned(),
            });
        }
        audit_user(&mut tx, actor, "user.password", &user).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Disables (or enables again) a user. A disabled user cannot sign in.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        username: &str,
        disabled: bool,
    ) -> Result<User, StoreError> {
        let mut user = self.user_by_username(username).await?;
        user.disabled = disabled;
        let id = user.id.to_string();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE app_user SET disabled = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(disabled))
            .bind(crate::time::now())
            .bind(&id)
            .execute(tx.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                kind: "user",
                key: username.to_owned(),
            });
        }
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        audit_user(&mut tx, actor, action, &user).await?;
        tx.commit().await?;
        Ok(user)
    }
}
