//! Sign-in through the real identity provider, sessions, CSRF, ERP bearer
//! tokens, rate limits, claim mappings, role administration, row-level
//! security and the security audit log.

use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, RunQueryDsl};
use lcp::auth::session::{SESSION_COOKIE, SessionKeys};
use lcp::demo;
use lcp::store;
use serde_json::json;

use crate::support::idp::{GROUP, GROUPED, STRANGER, UNBOUND_CLIENT, idp};
use crate::support::signed_in::{Browser, SignInOutcome, location};
use crate::support::{
    TestApp, expect_problem, identity_settings, migrated_database, spawn_app_with,
};

const ANNA: &str = "anna.maker@rhein-valley.example";
const HUGO: &str = "hugo.admin@hmbk.example";
const HANNA: &str = "hanna.maker@hmbk.example";

/// An app on a database holding the demo network.
async fn demo_app_with(settings: lcp::config::IdentitySettings) -> TestApp {
    let url = migrated_database().await;
    demo::seed(&mut store::connect(&url).await.unwrap())
        .await
        .unwrap();
    spawn_app_with(url, settings).await
}

async fn demo_app() -> TestApp {
    demo_app_with(identity_settings()).await
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut connection = store::connect(&app.database_url).await.unwrap();
    diesel::sql_query(sql)
        .get_result::<Count>(&mut connection)
        .await
        .unwrap()
        .n
}

async fn me(browser: &Browser) -> reqwest::Response {
    browser
        .client
        .get(browser.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_person_signs_in_through_the_identity_provider_and_sees_who_they_are() {
    let app = demo_app().await;
    let browser = Browser::new(&app);
    browser
        .sign_in(ANNA, &idp().password, "/credits")
        .await
        .unwrap();

    let response = me(&browser).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email"], ANNA);
    assert_eq!(body["user"]["display_name"], "Anna Maker");
    assert_eq!(
        body["organisation"]["legal_name"],
        "Rhein Valley Instruments GmbH"
    );
    assert_eq!(body["roles"], json!(["applicant_maker"]));
    assert_eq!(body["authenticated_by"], "session");

    // the provider's subject is bound to the user at the first sign-in
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM users WHERE email = '{ANNA}' AND idp_subject IS NOT NULL"
            )
        )
        .await,
        1
    );
    let events = count(&app, "SELECT count(*) AS n FROM security_events WHERE kind = 'sign_in' AND source_ip = '127.0.0.1' AND user_id IS NOT NULL").await;
    assert_eq!(events, 1, "the sign-in is audited with who and where from");

    // a caller cannot choose the address the audit log records
    let forged = app
        .client
        .get(app.url("/api/v1/me"))
        .header("x-forwarded-for", "203.0.113.7")
        .bearer_auth("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let recorded = count(&app, "SELECT count(*) AS n FROM security_events WHERE kind = 'token_rejected' AND source_ip = '127.0.0.1' AND detail->>'forwarded_for_claimed' = '203.0.113.7'").await;
    assert_eq!(
        recorded, 1,
        "the peer address is recorded; the forwarded claim is kept apart"
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_lax_and_the_csrf_cookie_readable() {
    let app = demo_app().await;
    let browser = Browser::new(&app);
    let start = browser
        .client
        .get(browser.url("/auth/login"))
        .send()
        .await
        .unwrap();
    let login_url = location(&start);
    assert!(
        login_url.contains("code_challenge_method=S256"),
        "PKCE: {login_url}"
    );
    assert!(login_url.contains("nonce="), "nonce: {login_url}");
    let cookies = browser.sign_in(ANNA, &idp().password, "/").await.unwrap();
    let set = |name: &str| {
        cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .unwrap()
            .clone()
    };
    let session = set(SESSION_COOKIE);
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && session.contains("Path=/"),
        "{session}"
    );
    assert!(
        !session.contains("Secure"),
        "plain http here; Secure only behind https: {session}"
    );
    let csrf = set(lcp::auth::session::CSRF_COOKIE);
    assert!(
        !csrf.contains("HttpOnly") && csrf.contains("SameSite=Strict"),
        "{csrf}"
    );
    assert!(!browser.csrf().is_empty());
}

#[tokio::test]
async fn a_wrong_password_or_a_stranger_gets_no_session() {
    let app = demo_app().await;
    let browser = Browser::new(&app);
    assert_eq!(
        browser.sign_in(ANNA, "not-the-password", "/").await,
        Err(SignInOutcome::LoginRefused)
    );
    assert_eq!(me(&browser).await.status(), 401);

    let stranger = Browser::new(&app);
    match stranger.sign_in(STRANGER, &idp().password, "/").await {
        Err(SignInOutcome::PlatformRefused(403, problem)) => {
            assert_eq!(problem["type"], "/problems/forbidden")
        }
        other => panic!("a person the platform does not know is refused: {other:?}"),
    }
    assert_eq!(me(&stranger).await.status(), 401);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM security_events WHERE kind = 'sign_in_failed'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_callback_cannot_be_replayed_or_forged() {
    let app = demo_app().await;
    let forged = app.get("/auth/callback?code=anything&state=made-up").await;
    let problem = expect_problem(forged, 400).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("sign in again")
    );
    let open_redirect = app.get("/auth/login?return_to=//evil.example/").await;
    let problem = expect_problem(open_redirect, 422).await;
    assert_eq!(problem["errors"][0]["field"], "query.return_to");
}

#[tokio::test]
async fn cookie_mutations_need_the_csrf_token_and_sign_out_ends_the_session_everywhere() {
    let app = demo_app().await;
    let browser = Browser::new(&app);
    browser.sign_in(ANNA, &idp().password, "/").await.unwrap();

    let without = browser
        .client
        .post(browser.url("/auth/logout"))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(without, 403).await;
    assert!(problem["detail"].as_str().unwrap().contains("X-CSRF-Token"));
    let foreign = browser
        .client
        .post(browser.url("/auth/logout"))
        .header("x-csrf-token", browser.csrf())
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    expect_problem(foreign, 403).await;
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM security_events WHERE kind = 'csrf_rejected'"
        )
        .await,
        2
    );
    assert_eq!(
        me(&browser).await.status(),
        200,
        "a refused sign-out leaves the session"
    );

    let out = browser
        .client
        .post(browser.url("/auth/logout"))
        .header("x-csrf-token", browser.csrf())
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    let body: serde_json::Value = out.json().await.unwrap();
    let logout_url = body["logout_url"].as_str().unwrap();
    assert!(
        logout_url.starts_with(&format!("{}/session/end", idp().issuer)),
        "RP-initiated logout: {logout_url}"
    );
    assert!(logout_url.contains("id_token_hint="));
    assert!(logout_url.contains("post_logout_redirect_uri=http%3A%2F%2Flcp.test%2F"));
    assert_eq!(me(&browser).await.status(), 401);
    assert!(
        browser.cookie(SESSION_COOKIE).is_none(),
        "the cookie is removed"
    );
}

#[tokio::test]
async fn a_session_token_is_renewed_while_in_use_and_refused_once_expired_revoked_or_idle() {
    let settings = identity_settings();
    let keys = SessionKeys::new(
        settings.session_secret.as_ref().unwrap(),
        chrono::Duration::minutes(15),
    )
    .unwrap();
    let app = demo_app_with(settings).await;
    let browser = Browser::new(&app);
    browser.sign_in(ANNA, &idp().password, "/").await.unwrap();
    let claims = keys
        .verify(&browser.cookie(SESSION_COOKIE).unwrap())
        .unwrap();
    let send = async |token: &str| {
        reqwest::Client::new()
            .get(browser.url("/api/v1/me"))
            .header("cookie", format!("{SESSION_COOKIE}={token}"))
            .send()
            .await
            .unwrap()
    };

    // a token past half its life comes back renewed
    let (aging, _) = keys
        .issue(
            claims.sid,
            claims.sub,
            claims.org,
            &claims.csrf,
            chrono::Utc::now() - chrono::Duration::minutes(10),
        )
        .unwrap();
    let response = send(&aging).await;
    assert_eq!(response.status(), 200);
    let renewed = response
        .headers()
        .get("set-cookie")
        .expect("renewed cookie")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        renewed.starts_with(&format!("{SESSION_COOKIE}=")) && renewed.contains("HttpOnly"),
        "{renewed}"
    );
    let fresh = renewed
        .trim_start_matches(&format!("{SESSION_COOKIE}="))
        .split(';')
        .next()
        .unwrap();
    assert!(keys.verify(fresh).unwrap().exp > keys.verify(&aging).unwrap().exp);

    // an expired token is refused even though the session lives
    let (expired, _) = keys
        .issue(
            claims.sid,
            claims.sub,
            claims.org,
            &claims.csrf,
            chrono::Utc::now() - chrono::Duration::minutes(16),
        )
        .unwrap();
    assert_eq!(send(&expired).await.status(), 401);

    // idle for longer than allowed: refused
    let mut connection = store::connect(&app.database_url).await.unwrap();
    diesel::sql_query("UPDATE sessions SET last_seen_at = now() - interval '31 minutes'")
        .execute(&mut connection)
        .await
        .unwrap();
    assert_eq!(me(&browser).await.status(), 401);
}

#[tokio::test]
async fn an_erp_client_calls_with_its_providers_token_and_nothing_else_passes() {
    let app = demo_app().await;
    let token = idp().client_token("erp-rhein-valley").await;
    let response = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["authenticated_by"], "bearer");
    assert_eq!(body["client_id"], "erp-rhein-valley");
    assert_eq!(
        body["organisation"]["legal_name"],
        "Rhein Valley Instruments GmbH"
    );
    assert_eq!(body["roles"], json!(["applicant_maker"]));
    assert!(body["user"].is_null());

    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let unbound = idp().client_token(UNBOUND_CLIENT).await;
    let (header, payload) = {
        let mut parts = token.split('.');
        (
            parts.next().unwrap().to_owned(),
            parts.next().unwrap().to_owned(),
        )
    };
    let unsigned = format!("{header}.{payload}.");
    for (what, credential) in [
        ("garbage", "not-a-token".to_owned()),
        ("a changed signature", tampered),
        ("no signature", unsigned),
        ("a client the platform does not know", unbound),
    ] {
        let response = app
            .client
            .get(app.url("/api/v1/me"))
            .bearer_auth(&credential)
            .send()
            .await
            .unwrap();
        let problem = expect_problem(response, 401).await;
        assert_eq!(problem["type"], "/problems/unauthenticated", "{what}");
    }
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM security_events WHERE kind = 'token_rejected'"
        )
        .await,
        4
    );
}

#[tokio::test]
async fn an_erp_client_over_its_rate_gets_429_with_retry_after() {
    let mut settings = identity_settings();
    settings.rate_limit_per_minute = 3;
    let app = demo_app_with(settings).await;
    let token = idp().client_token("erp-hanseatic").await;
    for _ in 0..3 {
        let response = app
            .client
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let limited = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    expect_problem(limited, 429).await;
    // another client keeps its own allowance
    let other = idp().client_token("erp-rhein-valley").await;
    assert_eq!(
        app.client
            .get(app.url("/api/v1/me"))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM security_events WHERE kind = 'rate_limited'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn an_administrator_maps_a_provider_group_to_a_role_and_its_members_sign_in_with_it() {
    let app = demo_app().await;
    let bank = demo::organisation_id("issuing-bank");
    let hugo = Browser::new(&app);
    hugo.sign_in(HUGO, &idp().password, "/").await.unwrap();

    // before the mapping, the provider's group gives nothing
    let grace = Browser::new(&app);
    assert!(matches!(
        grace.sign_in(GROUPED, &idp().password, "/").await,
        Err(SignInOutcome::PlatformRefused(403, _))
    ));

    let mapping = hugo
        .client
        .post(hugo.url(&format!("/api/v1/organisations/{bank}/role-mappings")))
        .header("x-csrf-token", hugo.csrf())
        .json(&json!({ "claim": "groups", "value": GROUP, "role": "bank_checker" }))
        .send()
        .await
        .unwrap();
    assert_eq!(mapping.status(), 201);
    let wrong_kind = hugo
        .client
        .post(hugo.url(&format!("/api/v1/organisations/{bank}/role-mappings")))
        .header("x-csrf-token", hugo.csrf())
        .json(&json!({ "claim": "groups", "value": GROUP, "role": "applicant_checker" }))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(wrong_kind, 422).await;
    assert_eq!(problem["errors"][0]["field"], "role");

    grace.sign_in(GROUPED, &idp().password, "/").await.unwrap();
    let body: serde_json::Value = me(&grace).await.json().await.unwrap();
    assert_eq!(body["organisation"]["id"], bank.to_string());
    assert_eq!(body["roles"], json!(["bank_checker"]));
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM security_events WHERE kind = 'role_mapping_added'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn an_administrator_manages_members_of_their_own_organisation_only() {
    let app = demo_app().await;
    let bank = demo::organisation_id("issuing-bank");
    let other_bank = demo::organisation_id("advising-bank");
    let hugo = Browser::new(&app);
    hugo.sign_in(HUGO, &idp().password, "/").await.unwrap();
    let post = async |organisation: uuid::Uuid, body: serde_json::Value| {
        hugo.client
            .post(hugo.url(&format!("/api/v1/organisations/{organisation}/members")))
            .header("x-csrf-token", hugo.csrf())
            .json(&body)
            .send()
            .await
            .unwrap()
    };

    let added = post(bank, json!({ "email": "Lena.Checker@hmbk.example", "display_name": "Lena Checker", "role": "bank_checker" })).await;
    assert_eq!(added.status(), 201);
    let member: serde_json::Value = added.json().await.unwrap();
    assert_eq!(member["email"], "lena.checker@hmbk.example");
    let again = post(bank, json!({ "email": "lena.checker@hmbk.example", "display_name": "Lena Checker", "role": "bank_checker" })).await;
    expect_problem(again, 409).await;
    let invalid = post(
        bank,
        json!({ "email": "not-an-email", "display_name": "", "role": "applicant_maker" }),
    )
    .await;
    let problem = expect_problem(invalid, 422).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "display_name", "role"]);
    expect_problem(
        post(
            other_bank,
            json!({ "email": "x@y.example", "display_name": "X", "role": "bank_checker" }),
        )
        .await,
        404,
    )
    .await;

    let members: serde_json::Value = hugo
        .client
        .get(hugo.url(&format!("/api/v1/organisations/{bank}/members")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let emails: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap())
        .collect();
    assert!(
        emails.contains(&"lena.checker@hmbk.example") && emails.contains(&HANNA),
        "{emails:?}"
    );
    assert!(
        !emails.iter().any(|e| e.ends_with("stcm.example")),
        "no other bank's people"
    );

    let hugo_id = demo::person_id(HUGO);
    let last_admin = hugo
        .client
        .delete(hugo.url(&format!(
            "/api/v1/organisations/{bank}/members/{hugo_id}/roles/bank_administrator"
        )))
        .header("x-csrf-token", hugo.csrf())
        .send()
        .await
        .unwrap();
    expect_problem(last_admin, 409).await;
    let lena = member["user_id"].as_str().unwrap();
    let removed = hugo
        .client
        .delete(hugo.url(&format!(
            "/api/v1/organisations/{bank}/members/{lena}/roles/bank_checker"
        )))
        .header("x-csrf-token", hugo.csrf())
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);

    let events: serde_json::Value = hugo
        .client
        .get(hugo.url(&format!("/api/v1/organisations/{bank}/security-events")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"role_granted")
            && kinds.contains(&"role_revoked")
            && kinds.contains(&"sign_in"),
        "{kinds:?}"
    );

    let hanna = Browser::new(&app);
    hanna.sign_in(HANNA, &idp().password, "/").await.unwrap();
    let forbidden = hanna
        .client
        .get(hanna.url(&format!("/api/v1/organisations/{bank}/members")))
        .send()
        .await
        .unwrap();
    expect_problem(forbidden, 403).await;
}

#[tokio::test]
async fn a_regulators_every_read_is_audited() {
    let app = demo_app().await;
    let url = app.database_url.clone();
    crate::access::bind_test_clients(&url).await;
    let token = idp()
        .client_token(&crate::support::idp::TestIdp::client_for(
            lcp::domain::Role::Regulator,
        ))
        .await;
    for path in ["/api/v1/organisations", "/api/v1/calendars/DE-FF"] {
        let response = app
            .client
            .get(app.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
    let mut connection = store::connect(&url).await.unwrap();
    #[derive(diesel::QueryableByName)]
    struct Read {
        #[diesel(sql_type = Text)]
        path: String,
    }
    let reads: Vec<Read> = diesel::sql_query(
        "SELECT detail->>'path' AS path FROM security_events WHERE kind = 'regulator_read' ORDER BY occurred_at",
    )
    .load(&mut connection)
    .await
    .unwrap();
    assert_eq!(
        reads.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
        ["/api/v1/organisations", "/api/v1/calendars/DE-FF"]
    );
}

#[tokio::test]
async fn row_level_security_shows_the_service_role_nothing_without_an_organisation() {
    let url = migrated_database().await;
    let mut connection = store::connect(&url).await.unwrap();
    demo::seed(&mut connection).await.unwrap();
    let everything = count_rows(&mut connection, None).await;
    assert_eq!(
        everything,
        demo::PEOPLE.len() as i64,
        "the owner sees every membership"
    );

    diesel::sql_query(format!("SET ROLE {}", store::APP_ROLE))
        .execute(&mut connection)
        .await
        .unwrap();
    assert_eq!(
        count_rows(&mut connection, None).await,
        0,
        "no organisation set: no rows"
    );
    let importer = demo::organisation_id("importer");
    let importer_people = demo::PEOPLE
        .iter()
        .filter(|p| p.organisation == "importer")
        .count() as i64;
    assert_eq!(
        count_rows(&mut connection, Some(importer)).await,
        importer_people
    );
    for table in ["api_clients", "idp_role_mappings", "security_events"] {
        let sql = format!("SELECT count(*) AS n FROM {table}");
        assert_eq!(
            diesel::sql_query(&sql)
                .get_result::<Count>(&mut connection)
                .await
                .unwrap()
                .n,
            0,
            "{table}"
        );
    }
}

async fn count_rows(
    connection: &mut diesel_async::AsyncPgConnection,
    organisation: Option<uuid::Uuid>,
) -> i64 {
    connection
        .transaction(async |connection| {
            if let Some(organisation) = organisation {
                store::act_for(connection, organisation).await?;
            }
            diesel::sql_query("SELECT count(*) AS n FROM memberships")
                .get_result::<Count>(connection)
                .await
        })
        .await
        .unwrap()
        .n
}

#[tokio::test]
async fn the_security_log_is_append_only_for_the_service() {
    let app = demo_app().await;
    let browser = Browser::new(&app);
    browser.sign_in(ANNA, &idp().password, "/").await.unwrap();
    let mut connection = store::connect(&app.database_url).await.unwrap();
    diesel::sql_query(format!("SET ROLE {}", store::APP_ROLE))
        .execute(&mut connection)
        .await
        .unwrap();
    for statement in [
        "UPDATE security_events SET kind = 'sign_out'",
        "DELETE FROM security_events",
        "TRUNCATE security_events",
    ] {
        let error = diesel::sql_query(statement)
            .execute(&mut connection)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("permission denied"),
            "{statement}: {error}"
        );
    }
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM security_events WHERE kind = 'sign_in'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn without_an_identity_provider_nobody_signs_in() {
    let mut settings = identity_settings();
    settings.oidc_issuer = None;
    let app = demo_app_with(settings).await;
    expect_problem(app.get("/auth/login").await, 503).await;
    let token = idp().client_token("erp-rhein-valley").await;
    let response = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    expect_problem(response, 401).await;
}

#[tokio::test]
async fn a_retried_post_with_the_same_idempotency_key_changes_nothing_twice() {
    let app = demo_app().await;
    let bank = demo::organisation_id("issuing-bank");
    let hugo = Browser::new(&app);
    hugo.sign_in(HUGO, &idp().password, "/").await.unwrap();
    let post = async |key: &str, email: &str| {
        hugo.client
            .post(hugo.url(&format!("/api/v1/organisations/{bank}/members")))
            .header("x-csrf-token", hugo.csrf())
            .header("idempotency-key", key)
            .json(&json!({ "email": email, "display_name": "Mia Maker", "role": "bank_maker" }))
            .send()
            .await
            .unwrap()
    };

    let first = post("add-mia-1", "mia.maker@hmbk.example").await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first_body: serde_json::Value = first.json().await.unwrap();
    // two retries at once and one later: the same answer, one change
    let (a, b) = tokio::join!(
        post("add-mia-1", "mia.maker@hmbk.example"),
        post("add-mia-1", "mia.maker@hmbk.example")
    );
    for retry in [a, b, post("add-mia-1", "mia.maker@hmbk.example").await] {
        assert_eq!(retry.status(), 201);
        assert_eq!(retry.headers()["idempotent-replayed"], "true");
        assert_eq!(retry.json::<serde_json::Value>().await.unwrap(), first_body);
    }
    assert_eq!(count(&app, "SELECT count(*) AS n FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'mia.maker@hmbk.example'").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM security_events WHERE kind = 'role_granted'"
        )
        .await,
        1
    );

    let reused = post("add-mia-1", "someone.else@hmbk.example").await;
    let problem = expect_problem(reused, 422).await;
    assert_eq!(problem["errors"][0]["field"], "header.Idempotency-Key");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM users WHERE email = 'someone.else@hmbk.example'"
        )
        .await,
        0,
        "nothing stored"
    );
    let bad_key = post(&"k".repeat(256), "x@hmbk.example").await;
    expect_problem(bad_key, 422).await;

    // keys are kept for a day: an old record is swept when the next is stored
    let mut connection = store::connect(&app.database_url).await.unwrap();
    diesel::sql_query("UPDATE idempotency_records SET created_at = now() - interval '25 hours'")
        .execute(&mut connection)
        .await
        .unwrap();
    assert_eq!(
        post("add-noah-1", "noah.maker@hmbk.example").await.status(),
        201
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM idempotency_records WHERE idempotency_key = 'add-mia-1'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM idempotency_records WHERE idempotency_key = 'add-noah-1'"
        )
        .await,
        1
    );
}
