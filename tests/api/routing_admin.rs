//! Administration of routing rules and of the working calendar: the API and the pages, who may
//! use them, what is refused, and that what admins enter is what routing and deadlines use.

use chrono::NaiveDate;
use entity::enums::{AgencyKind, Role, UnitLevel};
use entity::{admin_units, agencies, comments, consultations};
use http::Method;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{Value, json};

use crate::helpers::browser::Browser;
use crate::helpers::{TestApp, TestResponse, account, bearer_for, select_texts};

struct World {
    app: TestApp,
    admin: entity::users::Model,
    admin_auth: String,
}

async fn world() -> World {
    let app = TestApp::with_samples().await;
    let admin = account(&app, "quantri2@vidu.vn", "Quản trị", Role::Admin, true).await;
    let admin_auth = bearer_for(&app, &admin).await;
    World {
        app,
        admin,
        admin_auth,
    }
}

impl World {
    async fn call(&self, method: Method, uri: &str, body: &Value) -> TestResponse {
        self.app
            .json(method, uri, body, &[("authorization", &self.admin_auth)])
            .await
    }

    async fn get(&self, uri: &str) -> TestResponse {
        self.app
            .send(
                http::Request::get(uri)
                    .header("authorization", &self.admin_auth)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
    }

    /// Two current departments, in code order.
    async fn departments(&self) -> (agencies::Model, agencies::Model) {
        let mut found = agencies::Entity::find()
            .filter(agencies::Column::Kind.eq(AgencyKind::Department))
            .filter(agencies::Column::ValidTo.is_null())
            .order_by_asc(agencies::Column::Code)
            .all(&self.app.state.db)
            .await
            .unwrap()
            .into_iter();
        (found.next().unwrap(), found.next().unwrap())
    }

    async fn create_rule(&self, body: Value) -> Value {
        let response = self
            .call(Method::POST, "/api/v1/routing-rules", &body)
            .await;
        assert_eq!(response.status, 201, "{}", response.text());
        response.json()
    }
}

fn field_codes(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn admins_create_change_list_and_delete_routing_rules() {
    let w = world().await;
    let (water, _) = w.departments().await;
    let rule = w
        .create_rule(json!({
            "name": "  Cấp nước  ",
            "priority": 10,
            "keyword": "cấp nước",
            "target": "agency",
            "agency_id": water.id,
            "working_days": 10,
        }))
        .await;
    assert_eq!(rule["name"], "Cấp nước");
    assert_eq!(rule["agency_name"], water.name.as_str());
    assert_eq!(rule["is_active"], true);
    assert_eq!(rule["working_days"], 10);
    let id = rule["id"].as_str().unwrap().to_owned();

    let list = w.get("/api/v1/routing-rules").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json()["items"][0]["id"], id.as_str());

    let uri = format!("/api/v1/routing-rules/{id}");
    let changed = w
        .call(
            Method::PATCH,
            &uri,
            &json!({"is_active": false, "keyword": null, "priority": 20}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    let changed = changed.json();
    assert_eq!(changed["is_active"], false);
    assert_eq!(changed["keyword"], Value::Null);
    assert_eq!(changed["priority"], 20);
    assert_eq!(changed["working_days"], 10, "fields left out are kept");

    // A change that breaks a rule is refused whole.
    w.call(Method::PATCH, &uri, &json!({"target": "lead_agency"}))
        .await
        .assert_problem(422, "validation_failed");

    let deleted = w.call(Method::DELETE, &uri, &json!({})).await;
    assert_eq!(deleted.status, 204);
    w.call(Method::DELETE, &uri, &json!({}))
        .await
        .assert_problem(404, "not_found");
    w.call(Method::PATCH, &uri, &json!({"priority": 1}))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn invalid_rules_are_refused_with_a_field_error_for_each_problem() {
    let w = world().await;
    let problem = w
        .call(
            Method::POST,
            "/api/v1/routing-rules",
            &json!({
                "name": "",
                "priority": 20000,
                "target": "somewhere",
                "keyword": "n".repeat(101),
                "working_days": 0,
                "consultation_kind": "poem",
                "consultation_id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
                "unit_id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
                "clause_stable_key": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            }),
        )
        .await
        .assert_problem(422, "validation_failed");
    let codes = field_codes(&problem);
    for expected in [
        ("name", "length"),
        ("priority", "out_of_range"),
        ("target", "unknown"),
        ("keyword", "too_long"),
        ("working_days", "out_of_range"),
        ("consultation_kind", "unknown"),
        ("consultation_id", "unknown"),
        ("unit_id", "unknown"),
        ("clause_stable_key", "unknown"),
    ] {
        assert!(
            codes.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {codes:?}"
        );
    }
    // Messages are for people: Vietnamese.
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("quy tắc")
    );

    // The agency target needs a current agency; the others take none.
    let (water, other) = w.departments().await;
    let problem = w
        .call(
            Method::POST,
            "/api/v1/routing-rules",
            &json!({"name": "A", "priority": 1, "target": "agency"}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(
        field_codes(&problem),
        vec![("agency_id".to_owned(), "required".to_owned())]
    );
    let problem = w
        .call(
            Method::POST,
            "/api/v1/routing-rules",
            &json!({"name": "A", "priority": 1, "target": "lead_agency", "agency_id": water.id}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(
        field_codes(&problem),
        vec![("agency_id".to_owned(), "not_allowed".to_owned())]
    );
    let mut dissolved: agencies::ActiveModel = other.into();
    dissolved.valid_to = Set(NaiveDate::from_ymd_opt(2025, 6, 30));
    let dissolved = dissolved.update(&w.app.state.db).await.unwrap();
    let problem = w
        .call(
            Method::POST,
            "/api/v1/routing-rules",
            &json!({"name": "A", "priority": 1, "target": "agency", "agency_id": dissolved.id}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(
        field_codes(&problem),
        vec![("agency_id".to_owned(), "unknown".to_owned())]
    );
    // Unknown fields and wrong types are refused too.
    w.call(
        Method::POST,
        "/api/v1/routing-rules",
        &json!({"name": "A", "priority": "high", "target": "lead_agency"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let list = w.get("/api/v1/routing-rules").await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "nothing stored");
}

#[tokio::test]
async fn only_admins_administer_rules_and_the_calendar() {
    let w = world().await;
    let rule = w
        .create_rule(json!({"name": "Chủ trì", "priority": 1, "target": "lead_agency"}))
        .await;
    let uri = format!("/api/v1/routing-rules/{}", rule["id"].as_str().unwrap());
    for (email, role) in [
        ("dan@vidu.vn", Role::Resident),
        ("canbo@vidu.vn", Role::AgencyOfficer),
        ("mttq@vidu.vn", Role::Moderator),
    ] {
        let user = account(&w.app, email, "Người khác", role, true).await;
        let auth = bearer_for(&w.app, &user).await;
        let headers = [("authorization", auth.as_str())];
        for (method, path, body) in [
            (Method::GET, "/api/v1/routing-rules", json!({})),
            (
                Method::POST,
                "/api/v1/routing-rules",
                json!({"name": "X", "priority": 1, "target": "lead_agency"}),
            ),
            (Method::PATCH, uri.as_str(), json!({"is_active": false})),
            (Method::DELETE, uri.as_str(), json!({})),
            (
                Method::POST,
                "/api/v1/calendar/days",
                json!({"date": "2026-05-09", "is_working_day": true, "note": "Làm bù"}),
            ),
            (
                Method::DELETE,
                "/api/v1/calendar/days/2026-05-09",
                json!({}),
            ),
        ] {
            w.app
                .json(method, path, &body, &headers)
                .await
                .assert_problem(403, "forbidden");
        }
        let mut browser = Browser::signed_in(&w.app, &user).await;
        for page in ["/admin/routing", "/admin/calendar"] {
            assert_eq!(browser.get(page).await.status, 403, "{page} as {role:?}");
        }
    }
    w.app
        .get("/api/v1/routing-rules")
        .await
        .assert_problem(401, "unauthenticated");
    let still = w.get("/api/v1/routing-rules").await.json();
    assert_eq!(still["items"][0]["is_active"], true, "nothing changed");
}

#[tokio::test]
async fn active_rules_route_a_comment_in_priority_order_and_inactive_ones_are_ignored() {
    let w = world().await;
    let db = &w.app.state.db;
    let (water, roads) = w.departments().await;
    let consultation = consultations::Entity::find()
        .order_by_asc(consultations::Column::Title)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let resident = account(
        &w.app,
        "lan@vidu.vn",
        "Nguyễn Thị Lan",
        Role::Resident,
        true,
    )
    .await;
    let auth = bearer_for(&w.app, &resident).await;
    let submitted = w
        .app
        .json(
            Method::POST,
            &format!("/api/v1/consultations/{}/comments", consultation.id),
            &json!({"stance": "suggest", "body": "Đề nghị bảo đảm CẤP NUOC sạch cho khu dân cư mới.", "consent": "public_named"}),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(submitted.status, 201, "{}", submitted.text());
    let comment_id: uuid::Uuid = submitted.json()["id"].as_str().unwrap().parse().unwrap();
    let comment = comments::Entity::find_by_id(comment_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();

    let never = w
        .create_rule(json!({"name": "Không khớp", "priority": 1, "keyword": "cầu Rạch Ngỗng", "target": "agency", "agency_id": roads.id}))
        .await;
    let water_rule = w
        .create_rule(json!({"name": "Cấp nước", "priority": 50, "keyword": "cấp nước", "target": "agency", "agency_id": water.id, "working_days": 7}))
        .await;
    let paused = w
        .create_rule(json!({"name": "Tạm ngưng", "priority": 10, "keyword": "nước", "target": "agency", "agency_id": roads.id, "is_active": false}))
        .await;

    let rules = gopy::services::routing::active_rules(db).await.unwrap();
    let names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["Không khớp", "Cấp nước"],
        "by priority, active only"
    );
    assert_ne!(never["id"], paused["id"]);

    let days = gopy::config::AnswerWorkingDays::default();
    let proposal = gopy::services::routing::propose(db, &rules, &comment, &consultation, &days)
        .await
        .unwrap();
    assert_eq!(proposal.agency_id, water.id);
    assert_eq!(
        proposal.rule_id.map(|id| id.to_string()),
        water_rule["id"].as_str().map(ToOwned::to_owned)
    );
    assert_eq!(proposal.working_days, 7);

    // Turning the paused rule on makes it win (lower priority number).
    let uri = format!("/api/v1/routing-rules/{}", paused["id"].as_str().unwrap());
    let on = w
        .call(Method::PATCH, &uri, &json!({"is_active": true}))
        .await;
    assert_eq!(on.status, 200, "{}", on.text());
    let rules = gopy::services::routing::active_rules(db).await.unwrap();
    let proposal = gopy::services::routing::propose(db, &rules, &comment, &consultation, &days)
        .await
        .unwrap();
    assert_eq!(proposal.agency_id, roads.id);

    // With the matching rules off, the lead agency answers.
    for rule in [&water_rule, &paused] {
        let uri = format!("/api/v1/routing-rules/{}", rule["id"].as_str().unwrap());
        let off = w
            .call(Method::PATCH, &uri, &json!({"is_active": false}))
            .await;
        assert_eq!(off.status, 200);
    }
    let rules = gopy::services::routing::active_rules(db).await.unwrap();
    let proposal = gopy::services::routing::propose(db, &rules, &comment, &consultation, &days)
        .await
        .unwrap();
    assert_eq!(proposal.agency_id, consultation.lead_agency_id);
    assert_eq!(proposal.rule_id, None);
}

#[tokio::test]
async fn the_routing_page_adds_pauses_and_deletes_rules_without_javascript() {
    let w = world().await;
    let (water, _) = w.departments().await;
    let unit = admin_units::Entity::find()
        .filter(admin_units::Column::Level.eq(UnitLevel::Commune))
        .filter(admin_units::Column::ValidTo.is_null())
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut browser = Browser::signed_in(&w.app, &w.admin).await;

    let users = browser.get("/admin/users").await;
    assert_eq!(
        crate::helpers::select_attrs(&users.html(), "[data-testid=admin-nav] a", "href"),
        vec!["/admin/users", "/admin/routing", "/admin/calendar"]
    );
    let page = browser.get("/admin/routing").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        select_texts(&page.html(), "[data-testid=rule-row]").len(),
        0
    );
    let agency_options =
        crate::helpers::select_attrs(&page.html(), "select#agency_id option", "value");
    assert!(agency_options.contains(&water.id.to_string()));
    let unit_options = crate::helpers::select_attrs(&page.html(), "select#unit_id option", "value");
    assert!(unit_options.contains(&unit.id.to_string()));

    // A refused form comes back with its errors summarised and linked to the fields.
    let refused = browser
        .submit(
            "/admin/routing",
            "/admin/routing",
            &[
                ("name", ""),
                ("priority", "abc"),
                ("target", "agency"),
                ("working_days", "500"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    let doc = refused.html();
    let links = crate::helpers::select_attrs(&doc, "[data-testid=error-summary] a", "href");
    assert!(links.contains(&"#priority".to_owned()), "{links:?}");
    assert!(links.contains(&"#working_days".to_owned()), "{links:?}");
    assert!(
        select_texts(&doc, "title")[0].starts_with("Lỗi"),
        "the title says there are errors"
    );

    let unit_id = unit.id.to_string();
    let water_id = water.id.to_string();
    let created = browser
        .submit(
            "/admin/routing",
            "/admin/routing",
            &[
                ("name", "Ngập nước ở phường"),
                ("priority", "5"),
                ("target", "agency"),
                ("agency_id", &water_id),
                ("unit_id", &unit_id),
                ("keyword", "ngập"),
                ("consultation_kind", "general_plan"),
                ("working_days", "12"),
                ("consultation_id", ""),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text());
    let location = created.headers["location"].to_str().unwrap().to_owned();
    let page = browser.get(&location).await;
    let doc = page.html();
    assert_eq!(select_texts(&doc, "[data-testid=notice]").len(), 1);
    let row = select_texts(&doc, "[data-testid=rule-row]").join(" ");
    assert!(row.contains("Ngập nước ở phường"), "{row}");
    assert!(row.contains(&water.name), "{row}");
    assert!(row.contains(&unit.name), "{row}");
    assert!(row.contains("Quy hoạch chung"), "{row}");
    assert!(row.contains("12"), "{row}");

    let rules = w.get("/api/v1/routing-rules").await.json();
    let id = rules["items"][0]["id"].as_str().unwrap().to_owned();
    let paused = browser
        .submit(
            "/admin/routing",
            &format!("/admin/routing/{id}/deactivate"),
            &[],
        )
        .await;
    assert_eq!(paused.status, 303);
    let page = browser.get("/admin/routing").await;
    assert_eq!(
        select_texts(&page.html(), "[data-testid=rule-row] .tag--inactive").len(),
        1
    );
    assert!(
        gopy::services::routing::active_rules(&w.app.state.db)
            .await
            .unwrap()
            .is_empty()
    );
    let activated = browser
        .submit(
            "/admin/routing",
            &format!("/admin/routing/{id}/activate"),
            &[],
        )
        .await;
    assert_eq!(activated.status, 303);
    let deleted = browser
        .submit(
            "/admin/routing",
            &format!("/admin/routing/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(deleted.status, 303);
    let page = browser.get("/admin/routing").await;
    assert_eq!(
        select_texts(&page.html(), "[data-testid=rule-row]").len(),
        0
    );
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[tokio::test]
async fn the_calendar_of_2026_names_its_holidays_for_anyone() {
    let w = world().await;
    let response = w.app.get("/api/v1/calendar?year=2026").await;
    assert_eq!(response.status, 200, "{}", response.text());
    let body = response.json();
    assert_eq!(body["year"], 2026);
    let holidays = body["holidays"].as_array().unwrap();
    let on = |day: &str| {
        holidays
            .iter()
            .find(|h| h["date"] == day)
            .unwrap_or_else(|| panic!("{day} in {holidays:?}"))
    };
    let tet = on("2026-02-17");
    assert_eq!(tet["kind"], "statutory");
    assert!(tet["name_vi"].as_str().unwrap().contains("Tết Nguyên Đán"));
    assert!(!tet["name_en"].as_str().unwrap().is_empty());
    let hung_kings = on("2026-04-26");
    assert!(hung_kings["name_vi"].as_str().unwrap().contains("Giỗ Tổ"));
    // 26/4/2026 is a Sunday: the Monday after is off instead.
    assert_eq!(on("2026-04-27")["kind"], "compensatory");
    assert_eq!(body["exceptions"].as_array().unwrap().len(), 0);
    let days_off = body["days_off"].as_array().unwrap();
    assert!(days_off.iter().any(|d| d["date"] == "2026-02-17"));
    assert!(
        days_off.iter().all(|d| d["date"] != "2026-01-03"),
        "ordinary weekends are not listed as days off"
    );

    w.app
        .get("/api/v1/calendar?year=3000")
        .await
        .assert_problem(422, "validation_failed");
    w.app
        .get("/api/v1/calendar?year=soon")
        .await
        .assert_problem(400, "invalid_query");
}

#[tokio::test]
async fn admins_enter_and_remove_exceptions_that_the_working_calendar_follows() {
    let w = world().await;
    let db = &w.app.state.db;
    let saturday = date(2026, 5, 9);
    assert!(
        !gopy::services::calendar::load(db)
            .await
            .unwrap()
            .is_working_day(saturday)
    );
    let saved = w
        .call(
            Method::POST,
            "/api/v1/calendar/days",
            &json!({"date": "2026-05-09", "is_working_day": true, "note": "Làm bù cho ngày 1/5 theo thông báo của UBND thành phố"}),
        )
        .await;
    assert_eq!(saved.status, 201, "{}", saved.text());
    assert_eq!(saved.json()["date"], "2026-05-09");
    assert!(
        gopy::services::calendar::load(db)
            .await
            .unwrap()
            .is_working_day(saturday)
    );
    let year = w.app.get("/api/v1/calendar?year=2026").await.json();
    assert_eq!(year["exceptions"][0]["date"], "2026-05-09");
    assert_eq!(year["exceptions"][0]["is_working_day"], true);

    // An extra day off replaces nothing else and shows among the days off.
    let off = w
        .call(
            Method::POST,
            "/api/v1/calendar/days",
            &json!({"date": "2026-01-02", "is_working_day": false, "note": "Nghỉ thêm"}),
        )
        .await;
    assert_eq!(off.status, 201);
    let year = w.app.get("/api/v1/calendar").await.json();
    let days_off = year["days_off"].as_array().unwrap();
    assert!(
        days_off
            .iter()
            .any(|d| d["date"] == "2026-01-02" && d["kind"] == "additional")
    );

    let removed = w
        .call(
            Method::DELETE,
            "/api/v1/calendar/days/2026-05-09",
            &json!({}),
        )
        .await;
    assert_eq!(removed.status, 204);
    assert!(
        !gopy::services::calendar::load(db)
            .await
            .unwrap()
            .is_working_day(saturday)
    );
    w.call(
        Method::DELETE,
        "/api/v1/calendar/days/2026-05-09",
        &json!({}),
    )
    .await
    .assert_problem(404, "not_found");
    w.call(
        Method::DELETE,
        "/api/v1/calendar/days/not-a-date",
        &json!({}),
    )
    .await
    .assert_problem(404, "not_found");

    // Bad dates and notes are refused.
    for bad in ["2026-02-30", "09/05/2026", "", "1800-01-01"] {
        let problem = w
            .call(
                Method::POST,
                "/api/v1/calendar/days",
                &json!({"date": bad, "is_working_day": true, "note": "Làm bù"}),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "date", "{bad}");
    }
    let problem = w
        .call(
            Method::POST,
            "/api/v1/calendar/days",
            &json!({"date": "2026-05-16", "is_working_day": true, "note": "  "}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "note");
    w.call(
        Method::POST,
        "/api/v1/calendar/days",
        &json!({"date": 20260516, "is_working_day": true, "note": "Làm bù"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    w.app
        .json(
            Method::POST,
            "/api/v1/calendar/days",
            &json!({"date": "2026-05-16", "is_working_day": true, "note": "Làm bù"}),
            &[],
        )
        .await
        .assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn the_calendar_page_shows_holidays_and_edits_exceptions() {
    let w = world().await;
    let mut browser = Browser::signed_in(&w.app, &w.admin).await;
    let page = browser.get("/admin/calendar?year=2026").await;
    assert_eq!(page.status, 200);
    let doc = page.html();
    let holidays = select_texts(&doc, "[data-testid=holiday-row]").join("\n");
    assert!(holidays.contains("17/02/2026"), "{holidays}");
    assert!(holidays.contains("26/04/2026"), "{holidays}");
    assert!(holidays.contains("Giỗ Tổ"), "{holidays}");
    assert_eq!(select_texts(&doc, "[data-testid=exception-empty]").len(), 1);

    let refused = browser
        .submit(
            "/admin/calendar?year=2026",
            "/admin/calendar",
            &[("day", "31/02/2026"), ("kind", "work"), ("note", "")],
        )
        .await;
    assert_eq!(refused.status, 422);
    let links =
        crate::helpers::select_attrs(&refused.html(), "[data-testid=error-summary] a", "href");
    assert_eq!(links, vec!["#day", "#note"]);

    let saved = browser
        .submit(
            "/admin/calendar?year=2026",
            "/admin/calendar",
            &[
                ("day", "09/05/2026"),
                ("kind", "work"),
                ("note", "Làm bù cho ngày 1/5"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    let location = saved.headers["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/admin/calendar?year=2026"));
    let page = browser.get(&location).await;
    let rows = select_texts(&page.html(), "[data-testid=exception-row]");
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].contains("09/05/2026") && rows[0].contains("Thứ Bảy"),
        "{rows:?}"
    );
    assert!(
        gopy::services::calendar::load(&w.app.state.db)
            .await
            .unwrap()
            .is_working_day(date(2026, 5, 9))
    );

    // Without the form's CSRF token, nothing changes.
    for (action, pairs) in [
        ("/admin/calendar/remove", vec![("day", "2026-05-09")]),
        (
            "/admin/calendar",
            vec![("day", "16/05/2026"), ("kind", "work"), ("note", "Làm bù")],
        ),
        (
            "/admin/routing",
            vec![("name", "X"), ("priority", "1"), ("target", "lead_agency")],
        ),
    ] {
        assert_eq!(browser.post(action, &pairs).await.status, 403, "{action}");
    }
    assert_eq!(
        gopy::services::calendar::exceptions(&w.app.state.db)
            .await
            .unwrap()
            .len(),
        1
    );

    let removed = browser
        .submit(
            "/admin/calendar?year=2026",
            "/admin/calendar/remove",
            &[("day", "2026-05-09")],
        )
        .await;
    assert_eq!(removed.status, 303);
    let page = browser.get("/admin/calendar?year=2026").await;
    assert_eq!(
        select_texts(&page.html(), "[data-testid=exception-row]").len(),
        0
    );
}
