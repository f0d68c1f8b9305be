//! Sign-in, sessions, throttling, the second factor and API tokens, on both backends.

use std::time::Duration;

use custodes_core::audit::Actor;
use custodes_core::permission::TokenScope;
use custodes_core::user::THROTTLE;
use custodes_core::{Level, Role};
use custodes_store::Store;
use custodes_store::second_factor;
use custodes_store::session::{SessionLimits, SignInRefused};
use custodes_store::user::NewUser;
use custodes_testkit::{Flavour, TestDb, on_both_backends};

const PW: &str = "a long and good password";

async fn with_user(flavour: Flavour) -> (TestDb, Store) {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    store
        .create_user(
            &Actor::System,
            NewUser {
                username: "sela".into(),
                display_name: "Sela Dorin".into(),
                role: Role::Parliament,
                clearance: Level::Secret,
                password: PW.into(),
            },
        )
        .await
        .unwrap();
    (db, store)
}

async fn sign_in_opens_a_session_and_sign_out_ends_it(flavour: Flavour) {
    let (_db, store) = with_user(flavour).await;
    let limits = SessionLimits::default();
    let (user, s) = store
        .sign_in("Sela", PW, None, "10.0.0.1", limits)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.username, "sela");
    let live = store.session(&s.token, limits).await.unwrap().unwrap();
    assert_eq!(live.user.id, user.id);
    assert_eq!(live.csrf, s.csrf);
    assert_eq!(live.viewer.clearance, Level::Secret);
    assert!(
        store
            .session("not a token", limits)
            .await
            .unwrap()
            .is_none()
    );
    store.sign_out(&s.token).await.unwrap();
    assert!(store.session(&s.token, limits).await.unwrap().is_none());
}

async fn sessions_expire_and_end_with_a_disabled_user(flavour: Flavour) {
    let (_db, store) = with_user(flavour).await;
    let short = SessionLimits {
        idle: Duration::from_millis(300),
        absolute: Duration::from_secs(60),
    };
    let (_, s) = store
        .sign_in("sela", PW, None, "10.0.0.1", short)
        .await
        .unwrap()
        .unwrap();
    assert!(store.session(&s.token, short).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        store.session(&s.token, short).await.unwrap().is_none(),
        "idle expiry"
    );

    let absolute = SessionLimits {
        idle: Duration::from_secs(60),
        absolute: Duration::from_millis(200),
    };
    let (_, s) = store
        .sign_in("sela", PW, None, "10.0.0.1", absolute)
        .await
        .unwrap()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        store.session(&s.token, absolute).await.unwrap().is_none(),
        "absolute expiry"
    );

    let limits = SessionLimits::default();
    let (_, s) = store
        .sign_in("sela", PW, None, "10.0.0.1", limits)
        .await
        .unwrap()
        .unwrap();
    store
        .set_user_disabled(&Actor::System, "sela", true)
        .await
        .unwrap();
    assert!(store.session(&s.token, limits).await.unwrap().is_none());
    assert_eq!(
        store
            .sign_in("sela", PW, None, "10.0.0.1", limits)
            .await
            .unwrap()
            .err(),
        Some(SignInRefused::Credentials)
    );
}

async fn repeated_failures_are_throttled_per_account_and_per_address(flavour: Flavour) {
    let (_db, store) = with_user(flavour).await;
    let limits = SessionLimits::default();
    for _ in 0..THROTTLE.per_account {
        let r = store
            .sign_in("sela", "wrong password!!", None, "10.0.0.2", limits)
            .await
            .unwrap();
        assert_eq!(r.err(), Some(SignInRefused::Credentials));
    }
    // Now even the right password is refused for this account, from any address.
    let r = store
        .sign_in("sela", PW, None, "10.0.0.3", limits)
        .await
        .unwrap();
    assert_eq!(r.err(), Some(SignInRefused::Throttled));

    // Per address: many usernames from one address.
    for i in 0..THROTTLE.per_address {
        store
            .sign_in(&format!("nobody{i}"), "x", None, "10.9.9.9", limits)
            .await
            .unwrap()
            .unwrap_err();
    }
    let r = store
        .sign_in("someone", "x", None, "10.9.9.9", limits)
        .await
        .unwrap();
    assert_eq!(r.err(), Some(SignInRefused::Throttled));
    // Failed sign-ins are audited.
    let (entries, total) = store
        .audit_log(
            &custodes_core::policy::Viewer::public(),
            chrono::Utc::now().date_naive(),
            &custodes_store::audit::AuditFilter {
                action: Some("user.sign_in_failed".into()),
                ..Default::default()
            },
            500,
            0,
        )
        .await
        .unwrap();
    assert_eq!(total, THROTTLE.per_account + THROTTLE.per_address);
    assert!(
        entries
            .iter()
            .all(|e| e.actor_name.starts_with("anonymous ("))
    );
}

async fn the_second_factor_is_asked_for_once_set_up(flavour: Flavour) {
    let (_db, store) = with_user(flavour).await;
    let limits = SessionLimits::default();
    let user = store.user_by_username("sela").await.unwrap();
    let secret = second_factor::new_secret();
    let err = store.enable_second_factor(&user, &secret, "000000").await;
    assert!(
        err.is_err()
            || second_factor::code_at(&secret, second_factor::now_unix()).as_deref()
                == Some("000000")
    );
    let code = second_factor::code_at(&secret, second_factor::now_unix()).unwrap();
    store
        .enable_second_factor(&user, &secret, &code)
        .await
        .unwrap();
    assert!(store.has_second_factor(&user).await.unwrap());

    assert_eq!(
        store
            .sign_in("sela", PW, None, "10.0.0.4", limits)
            .await
            .unwrap()
            .err(),
        Some(SignInRefused::CodeNeeded)
    );
    let wrong = if code == "123456" { "654321" } else { "123456" };
    assert_eq!(
        store
            .sign_in("sela", PW, Some(wrong), "10.0.0.4", limits)
            .await
            .unwrap()
            .err(),
        Some(SignInRefused::BadCode)
    );
    let code = second_factor::code_at(&secret, second_factor::now_unix()).unwrap();
    assert!(
        store
            .sign_in("sela", PW, Some(&code), "10.0.0.4", limits)
            .await
            .unwrap()
            .is_ok()
    );
    // A wrong password with any code is just a wrong password.
    assert_eq!(
        store
            .sign_in("sela", "bad password!!", Some(&code), "10.0.0.4", limits)
            .await
            .unwrap()
            .err(),
        Some(SignInRefused::Credentials)
    );

    store.disable_second_factor(&user, &code).await.unwrap();
    assert!(
        store
            .sign_in("sela", PW, None, "10.0.0.4", limits)
            .await
            .unwrap()
            .is_ok()
    );
}

async fn tokens_work_until_revoked_or_expired(flavour: Flavour) {
    let (_db, store) = with_user(flavour).await;
    let user = store.user_by_username("sela").await.unwrap();
    let (token, secret) = store
        .create_token(&user, "script", TokenScope::Read, Duration::from_secs(3600))
        .await
        .unwrap();
    assert!(secret.starts_with("cst_"));
    let (u, viewer, scope) = store.token_user(&secret).await.unwrap().unwrap();
    assert_eq!(
        (u.username.as_str(), viewer.clearance, scope),
        ("sela", Level::Secret, TokenScope::Read)
    );
    let listed = store.list_tokens(&user).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_some());
    store.revoke_token(&user, &token.id).await.unwrap();
    assert!(store.token_user(&secret).await.unwrap().is_none());
    assert!(
        store.revoke_token(&user, &token.id).await.is_err(),
        "revoking twice"
    );

    let (_, short) = store
        .create_token(
            &user,
            "short",
            TokenScope::Write,
            Duration::from_millis(100),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(store.token_user(&short).await.unwrap().is_none(), "expired");
    assert!(store.token_user("cst_forged").await.unwrap().is_none());
    let err = store
        .create_token(&user, " ", TokenScope::Read, Duration::from_secs(60))
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("name:"), "{err}");
}

on_both_backends!(
    sign_in_opens_a_session_and_sign_out_ends_it,
    sessions_expire_and_end_with_a_disabled_user,
    repeated_failures_are_throttled_per_account_and_per_address,
    the_second_factor_is_asked_for_once_set_up,
    tokens_work_until_revoked_or_expired,
);
