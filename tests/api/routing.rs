//! Routing: approval assigns the responsible agency (rules, or the lead agency) with a due date
//! in working days; the agency answers (also a whole campaign at once), asks for a transfer or
//! an extension that moderators decide; reminders and escalations are sent exactly once; the
//! public sees the answers and the overdue ones.

use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use entity::enums::{AssignmentStatus, Role};
use entity::{agencies, assignments, consultations, notifications, routing_rules, users};
use http::Method;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{Value, json};

use crate::helpers::smtp::SmtpSink;
use crate::helpers::{PASSWORD, TestApp, TestResponse, account, bearer_for};

struct World {
    sink: SmtpSink,
    app: TestApp,
    consultation: consultations::Model,
    lead: agencies::Model,
    moderator: String,
    moderator_user: users::Model,
    officer: users::Model,
    officer_auth: String,
}

async fn officer_of(app: &TestApp, agency: &agencies::Model, email: &str) -> users::Model {
    gopy::services::users::create(
        &app.state.db,
        gopy::services::users::NewUser {
            email: gopy::domain::account::Email::parse(email).unwrap(),
            password: gopy::domain::account::NewPassword::parse(PASSWORD).unwrap(),
            display_name: format!("Cán bộ {}", agency.code),
            role: Role::AgencyOfficer,
            agency_code: Some(agency.code.clone()),
            organization_code: None,
            verified: true,
        },
        app.state.settings.password,
    )
    .await
    .unwrap()
}

async fn world() -> World {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder().samples().smtp(sink.port()).build().await;
    let consultation = consultations::Entity::find()
        .order_by_asc(consultations::Column::Title)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let lead = agencies::Entity::find_by_id(consultation.lead_agency_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let moderator_user = account(
        &app,
        "mttq@vidu.vn",
        "Kiểm duyệt viên",
        Role::Moderator,
        true,
    )
    .await;
    let moderator = bearer_for(&app, &moderator_user).await;
    let officer = officer_of(&app, &lead, "canbo@vidu.vn").await;
    let officer_auth = bearer_for(&app, &officer).await;
    World {
        sink,
        app,
        consultation,
        lead,
        moderator,
        moderator_user,
        officer,
        officer_auth,
    }
}

impl World {
    async fn call(&self, method: Method, uri: &str, auth: &str, body: Value) -> TestResponse {
        self.app
            .json(method, uri, &body, &[("authorization", auth)])
            .await
    }

    async fn get(&self, uri: &str, auth: &str) -> TestResponse {
        self.app
            .send(
                http::Request::get(uri)
                    .header("authorization", auth)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
    }

    /// A resident's comment; returns (comment id, author).
    async fn comment(&self, email: &str, text: &str) -> (String, users::Model) {
        let user = account(&self.app, email, "Trần Văn Bình", Role::Resident, true).await;
        let auth = bearer_for(&self.app, &user).await;
        let response = self
            .call(
                Method::POST,
                &format!("/api/v1/consultations/{}/comments", self.consultation.id),
                &auth,
                json!({"stance": "suggest", "body": text, "consent": "public_named"}),
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.text());
        (response.json()["id"].as_str().unwrap().to_owned(), user)
    }

    async fn approve(&self, id: &str, extra: Value) -> Value {
        let mut body = json!({"decision": "approve"});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let response = self
            .call(
                Method::POST,
                &format!("/api/v1/comments/{id}/moderation"),
                &self.moderator,
                body,
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text());
        response.json()
    }
}

/// The id of the first assignment of an approval's answer.
fn first_assignment(decided: &Value) -> String {
    decided["assignments"][0]["id"].as_str().unwrap().to_owned()
}

async fn calendar(app: &TestApp) -> gopy::domain::calendar::WorkingCalendar {
    gopy::services::calendar::load(&app.state.db).await.unwrap()
}

#[tokio::test]
async fn approval_assigns_the_lead_agency_with_a_due_date_in_working_days() {
    let w = world().await;
    let (id, _) = w
        .comment(
            "binh@vidu.vn",
            "Đề nghị nạo vét cống thoát nước trên đường Mậu Thân trước mùa mưa.",
        )
        .await;
    let decided = w.approve(&id, json!({})).await;
    let assigned = decided["assignments"].as_array().unwrap();
    assert_eq!(assigned.len(), 1);
    assert_eq!(assigned[0]["agency_id"], w.lead.id.to_string().as_str());
    assert_eq!(assigned[0]["is_lead"], true);
    let today = gopy::services::assignments::today_vn();
    let days = w
        .app
        .state
        .settings
        .answer_working_days
        .for_kind(w.consultation.kind);
    let expected = calendar(&w.app).await.add_working_days(today, days);
    assert_eq!(assigned[0]["due_on"], expected.to_string().as_str());
    assert!(expected.weekday().number_from_monday() <= 5);

    // The lead agency's officer finds it in the inbox; another agency's officer does not.
    let inbox = w.get("/api/v1/inbox", &w.officer_auth).await.json();
    assert_eq!(inbox["total"], 1);
    assert_eq!(inbox["items"][0]["comment_id"], id.as_str());
    let other_agency = agencies::Entity::find()
        .filter(agencies::Column::Id.ne(w.lead.id))
        .filter(agencies::Column::ValidTo.is_null())
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let stranger = officer_of(&w.app, &other_agency, "khac@vidu.vn").await;
    let stranger_auth = bearer_for(&w.app, &stranger).await;
    assert_eq!(
        w.get("/api/v1/inbox", &stranger_auth).await.json()["total"],
        0
    );
    let assignment_id = assigned[0]["id"].as_str().unwrap();
    w.get(
        &format!("/api/v1/assignments/{assignment_id}"),
        &stranger_auth,
    )
    .await
    .assert_problem(404, "not_found");
    w.call(
        Method::POST,
        &format!("/api/v1/assignments/{assignment_id}/answer"),
        &stranger_auth,
        json!({"disposition": "accepted", "body": "Chúng tôi sẽ xử lý việc này."}),
    )
    .await
    .assert_problem(404, "not_found");
    // The officer was told in the app.
    let told = notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(w.officer.id))
        .filter(notifications::Column::Kind.eq("assignment_new"))
        .count(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(told, 1);
    // The public page says who is to answer, and by when.
    let public = w.app.get(&format!("/api/v1/comments/{id}")).await.json();
    assert_eq!(public["awaiting"][0]["agency"], w.lead.name.as_str());
    assert_eq!(public["awaiting"][0]["overdue"], false);
}

#[tokio::test]
async fn routing_rules_choose_the_agency_and_the_moderator_may_choose_others() {
    let w = world().await;
    let target = agencies::Entity::find()
        .filter(agencies::Column::Id.ne(w.lead.id))
        .filter(agencies::Column::ValidTo.is_null())
        .order_by_asc(agencies::Column::Code)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let now = chrono::Utc::now();
    let rule =
        |name: &str, priority: i32, keyword: &str, active: bool| routing_rules::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            name: Set(name.to_owned()),
            priority: Set(priority),
            consultation_id: Set(None),
            consultation_kind: Set(None),
            clause_stable_key: Set(None),
            keyword: Set(Some(keyword.to_owned())),
            unit_id: Set(None),
            target: Set("agency".to_owned()),
            agency_id: Set(Some(target.id)),
            working_days: Set(Some(5)),
            is_active: Set(active),
            created_at: Set(now),
            updated_at: Set(now),
        };
    rule("Cây xanh", 10, "cây xanh", true)
        .insert(&w.app.state.db)
        .await
        .unwrap();
    rule("Tắt", 1, "vỉa hè", false)
        .insert(&w.app.state.db)
        .await
        .unwrap();

    // Typed without diacritics, the keyword still matches.
    let (trees, _) = w
        .comment(
            "a@vidu.vn",
            "De nghi trong them cay xanh tren duong Tran Hung Dao.",
        )
        .await;
    let decided = w.approve(&trees, json!({})).await;
    assert_eq!(
        decided["assignments"][0]["agency_id"],
        target.id.to_string().as_str()
    );
    let due = NaiveDate::parse_from_str(
        decided["assignments"][0]["due_on"].as_str().unwrap(),
        "%Y-%m-%d",
    )
    .unwrap();
    assert_eq!(
        due,
        calendar(&w.app)
            .await
            .add_working_days(gopy::services::assignments::today_vn(), 5)
    );
    // The inactive rule is ignored: the lead agency answers.
    let (pavement, _) = w
        .comment(
            "b@vidu.vn",
            "Vỉa hè đường Nguyễn Trãi bị lấn chiếm, đề nghị xử lý.",
        )
        .await;
    let decided = w.approve(&pavement, json!({})).await;
    assert_eq!(
        decided["assignments"][0]["agency_id"],
        w.lead.id.to_string().as_str()
    );
    // The moderator names two agencies: the first leads.
    let (both, _) = w
        .comment(
            "c@vidu.vn",
            "Đề nghị phối hợp giữa các sở để chống ngập khu vực chợ.",
        )
        .await;
    let decided = w
        .approve(&both, json!({"agency_ids": [target.id, w.lead.id]}))
        .await;
    let assigned = decided["assignments"].as_array().unwrap();
    assert_eq!(assigned.len(), 2);
    assert_eq!(assigned[0]["agency_id"], target.id.to_string().as_str());
    assert_eq!(assigned[0]["is_lead"], true);
    assert_eq!(assigned[1]["is_lead"], false);
    // An unknown agency is refused before anything changes.
    let (unknown, _) = w
        .comment("d@vidu.vn", "Ý kiến về bãi đậu xe gần bến Ninh Kiều.")
        .await;
    w.call(
        Method::POST,
        &format!("/api/v1/comments/{unknown}/moderation"),
        &w.moderator,
        json!({"decision": "approve", "agency_ids": [uuid::Uuid::now_v7()]}),
    )
    .await
    .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn an_answer_is_public_and_its_author_is_told_by_mail_and_in_the_app() {
    let w = world().await;
    let (id, author) = w
        .comment(
            "binh@vidu.vn",
            "Đề nghị lắp thêm đèn chiếu sáng ở hẻm 51 đường Mậu Thân.",
        )
        .await;
    let decided = w.approve(&id, json!({})).await;
    let assignment = first_assignment(&decided);
    let uri = format!("/api/v1/assignments/{assignment}/answer");
    w.call(
        Method::POST,
        &uri,
        &w.officer_auth,
        json!({"disposition": "maybe", "body": "Sẽ xem xét."}),
    )
    .await
    .assert_problem(422, "validation_failed");
    w.call(
        Method::POST,
        &uri,
        &w.officer_auth,
        json!({"disposition": "accepted", "body": "Ngắn"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let text = "Tiếp thu. Ban Quản lý dự án sẽ lắp 6 bộ đèn LED trong quý I năm 2027.";
    let answered = w
        .call(
            Method::POST,
            &uri,
            &w.officer_auth,
            json!({"disposition": "accepted", "body": text}),
        )
        .await;
    assert_eq!(answered.status, 200, "{}", answered.text());
    w.call(
        Method::POST,
        &uri,
        &w.officer_auth,
        json!({"disposition": "accepted", "body": text}),
    )
    .await
    .assert_problem(409, "assignment_not_open");

    let public = w.app.get(&format!("/api/v1/comments/{id}")).await.json();
    assert_eq!(public["answers"][0]["disposition"], "accepted");
    assert_eq!(public["answers"][0]["body"], text);
    assert_eq!(public["answers"][0]["agency"], w.lead.name.as_str());
    assert!(public["awaiting"].as_array().unwrap().is_empty());
    let page = w
        .app
        .get_page(&format!("/consultations/{}", w.consultation.id), None)
        .await
        .text();
    assert!(
        page.contains("6 bộ đèn LED"),
        "the answer is on the consultation page"
    );
    let comment_page = w
        .app
        .get_page(&format!("/comments/{id}"), None)
        .await
        .text();
    assert!(comment_page.contains("6 bộ đèn LED"));

    w.sink
        .wait_for_subject(
            &author.email,
            "đã được cơ quan trả lời",
            Duration::from_secs(10),
        )
        .await;
    let bell = notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(author.id))
        .filter(notifications::Column::Kind.eq("comment_answered"))
        .count(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(bell, 1);
    let audited = entity::audit_events::Entity::find()
        .filter(entity::audit_events::Column::Action.eq("assignment.answer"))
        .count(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn an_agency_answers_a_whole_campaign_once_and_each_comment_keeps_the_answer() {
    let w = world().await;
    let letter = "Chúng tôi là cư dân ven rạch Khai Luông, kiến nghị giữ lại hàng cây dầu cổ thụ \
                  trên đường Hai Bà Trưng, không chặt hạ khi mở rộng vỉa hè, và bổ sung đèn chiếu sáng.";
    let mut ids = Vec::new();
    for i in 0..3 {
        let (id, _) = w
            .comment(
                &format!("cudan{i}@vidu.vn"),
                &letter.replace("Chúng tôi", &format!("Chúng tôi ({i})")),
            )
            .await;
        ids.push(id);
    }
    let merged = w
        .call(
            Method::POST,
            "/api/v1/moderation/bulk",
            &w.moderator,
            json!({"comment_ids": ids, "decision": "merge"}),
        )
        .await;
    assert_eq!(merged.status, 200, "{}", merged.text());
    let inbox = w.get("/api/v1/inbox", &w.officer_auth).await.json();
    assert_eq!(inbox["total"], 3);
    assert_eq!(inbox["items"][0]["campaign_open"], 2);
    let first = inbox["items"][0]["id"].as_str().unwrap();
    let answered = w
        .call(
            Method::POST,
            &format!("/api/v1/assignments/{first}/answer"),
            &w.officer_auth,
            json!({"disposition": "partially_accepted", "body": "Giữ lại hàng cây dầu; đèn chiếu sáng sẽ bổ sung sau.", "whole_campaign": true}),
        )
        .await;
    assert_eq!(answered.json()["answered"].as_array().unwrap().len(), 3);
    assert_eq!(
        w.get("/api/v1/inbox", &w.officer_auth).await.json()["total"],
        0
    );
    for id in &ids {
        let public = w.app.get(&format!("/api/v1/comments/{id}")).await.json();
        assert_eq!(
            public["answers"][0]["disposition"], "partially_accepted",
            "{id}"
        );
    }
    let responses = entity::agency_responses::Entity::find()
        .count(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(responses, 3);
}

#[tokio::test]
async fn transfers_and_extensions_wait_for_a_moderator() {
    let w = world().await;
    let (id, _) = w
        .comment(
            "binh@vidu.vn",
            "Đề nghị cấp giấy phép xây dựng nhanh hơn cho nhà ở riêng lẻ.",
        )
        .await;
    let decided = w.approve(&id, json!({})).await;
    let assignment = first_assignment(&decided);
    let due_before = NaiveDate::parse_from_str(
        decided["assignments"][0]["due_on"].as_str().unwrap(),
        "%Y-%m-%d",
    )
    .unwrap();

    // Extension: 5 more working days once a moderator grants it.
    let base = format!("/api/v1/assignments/{assignment}");
    w.call(
        Method::POST,
        &format!("{base}/extension"),
        &w.officer_auth,
        json!({"reason": "Cần khảo sát hiện trường", "extra_working_days": 31}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let asked = w
        .call(
            Method::POST,
            &format!("{base}/extension"),
            &w.officer_auth,
            json!({"reason": "Cần khảo sát hiện trường", "extra_working_days": 5}),
        )
        .await;
    assert_eq!(asked.status, 201, "{}", asked.text());
    w.call(
        Method::POST,
        &format!("{base}/transfer"),
        &w.officer_auth,
        json!({"reason": "Không thuộc thẩm quyền"}),
    )
    .await
    .assert_problem(409, "request_pending");
    let pending = w
        .get("/api/v1/assignment-requests", &w.moderator)
        .await
        .json();
    assert_eq!(pending.as_array().unwrap().len(), 1);
    let request = pending[0]["id"].as_str().unwrap().to_owned();
    let decision = format!("/api/v1/assignment-requests/{request}/decision");
    w.call(
        Method::POST,
        &decision,
        &w.officer_auth,
        json!({"grant": true}),
    )
    .await
    .assert_problem(403, "forbidden");
    w.call(
        Method::POST,
        &decision,
        &w.moderator,
        json!({"grant": false}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let granted = w
        .call(
            Method::POST,
            &decision,
            &w.moderator,
            json!({"grant": true}),
        )
        .await;
    assert_eq!(granted.status, 200, "{}", granted.text());
    let after = w.get(&base, &w.officer_auth).await.json();
    let due_after =
        NaiveDate::parse_from_str(after["due_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert_eq!(
        due_after,
        calendar(&w.app).await.add_working_days(due_before, 5)
    );
    w.call(
        Method::POST,
        &decision,
        &w.moderator,
        json!({"grant": true}),
    )
    .await
    .assert_problem(409, "request_decided");

    // Transfer: the new agency gets a fresh assignment, the old one is closed as transferred.
    let target = agencies::Entity::find()
        .filter(agencies::Column::Id.ne(w.lead.id))
        .filter(agencies::Column::ValidTo.is_null())
        .order_by_asc(agencies::Column::Code)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let asked = w
        .call(
            Method::POST,
            &format!("{base}/transfer"),
            &w.officer_auth,
            json!({"reason": "Không thuộc thẩm quyền", "target_agency_id": target.id}),
        )
        .await;
    assert_eq!(asked.status, 201, "{}", asked.text());
    assert_eq!(
        w.get(&base, &w.officer_auth).await.json()["status"],
        "transfer_requested"
    );
    let request = asked.json()["id"].as_str().unwrap().to_owned();
    let granted = w
        .call(
            Method::POST,
            &format!("/api/v1/assignment-requests/{request}/decision"),
            &w.moderator,
            json!({"grant": true}),
        )
        .await;
    assert_eq!(granted.status, 200, "{}", granted.text());
    let rows = assignments::Entity::find()
        .filter(assignments::Column::CommentId.eq(uuid::Uuid::parse_str(&id).unwrap()))
        .order_by_asc(assignments::Column::AssignedAt)
        .all(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].status, AssignmentStatus::Transferred);
    assert_eq!(rows[1].agency_id, target.id);
    assert_eq!(rows[1].status, AssignmentStatus::Open);
    assert!(rows[1].is_lead);
    assert_eq!(
        w.get("/api/v1/inbox", &w.officer_auth).await.json()["total"],
        0
    );
}

#[tokio::test]
async fn reminders_and_escalations_are_sent_once_even_when_the_job_runs_again() {
    let w = world().await;
    let (id, _) = w
        .comment(
            "binh@vidu.vn",
            "Đề nghị sửa chữa mặt đường bị lún trước cổng trường tiểu học.",
        )
        .await;
    let decided = w.approve(&id, json!({})).await;
    let assignment_id = uuid::Uuid::parse_str(&first_assignment(&decided)).unwrap();
    let cal = calendar(&w.app).await;
    // A fixed working day, so the test does not depend on today's weekday.
    let today = cal.add_working_days(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(), 0);
    let set_due = |due: NaiveDate| {
        let db = w.app.state.db.clone();
        async move {
            let mut row = assignments::Entity::find_by_id(assignment_id)
                .one(&db)
                .await
                .unwrap()
                .unwrap()
                .into_active_model();
            row.due_on = Set(due);
            row.update(&db).await.unwrap();
        }
    };
    let run = |day: NaiveDate| {
        let db = w.app.state.db.clone();
        async move {
            gopy::services::assignments::run_deadlines(&db, day, "http://gopy.test")
                .await
                .unwrap()
        }
    };
    // Due in five working days: nothing yet.
    set_due(cal.add_working_days(today, 5)).await;
    assert_eq!(run(today).await, Default::default());
    // Due in two working days: one reminder, and only one however often the job runs (two
    // nodes at once, or a restart).
    set_due(cal.add_working_days(today, 2)).await;
    let (a, b) = tokio::join!(run(today), run(today));
    assert_eq!(a.reminded + b.reminded, 1);
    assert_eq!(run(today).await.reminded, 0);
    w.sink
        .wait_for_subject(&w.officer.email, "Sắp đến hạn", Duration::from_secs(10))
        .await;
    // Past due: escalated once, to the officers, the moderators and the agency's address.
    let overdue_day = cal.add_working_days(cal.add_working_days(today, 2), 1);
    let (a, b) = tokio::join!(run(overdue_day), run(overdue_day));
    assert_eq!(a.overdue + b.overdue, 1);
    assert_eq!(run(overdue_day).await, Default::default());
    w.sink
        .wait_for_subject(&w.officer.email, "Quá hạn", Duration::from_secs(10))
        .await;
    w.sink
        .wait_for_subject("mttq@vidu.vn", "Quá hạn", Duration::from_secs(10))
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let overdue_mails = w
        .sink
        .messages()
        .iter()
        .filter(|m| m.subject().contains("Quá hạn") && m.to.iter().any(|t| t == &w.officer.email))
        .count();
    assert_eq!(overdue_mails, 1);
    let reminder_mails = w
        .sink
        .messages()
        .iter()
        .filter(|m| m.subject().contains("Sắp đến hạn"))
        .count();
    assert_eq!(reminder_mails, 1);
    let row = assignments::Entity::find_by_id(assignment_id)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.reminded_at.is_some() && row.overdue_at.is_some() && row.escalated_at.is_some());
}

#[tokio::test]
async fn overdue_assignments_show_on_public_pages_and_in_the_inbox() {
    let w = world().await;
    let (id, _) = w
        .comment(
            "binh@vidu.vn",
            "Đề nghị trồng cây bóng mát ở công viên Lưu Hữu Phước.",
        )
        .await;
    let decided = w.approve(&id, json!({})).await;
    let assignment_id = uuid::Uuid::parse_str(&first_assignment(&decided)).unwrap();
    let mut row = assignments::Entity::find_by_id(assignment_id)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    row.due_on = Set(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
    row.update(&w.app.state.db).await.unwrap();
    let public = w.app.get(&format!("/api/v1/comments/{id}")).await.json();
    assert_eq!(public["awaiting"][0]["overdue"], true);
    let page = w.app.get_page(&format!("/comments/{id}"), None).await;
    assert_eq!(
        crate::helpers::select_texts(&page.html(), "[data-testid=public-overdue]"),
        vec!["Quá hạn"]
    );
    let inbox = w.get("/api/v1/inbox", &w.officer_auth).await.json();
    assert_eq!(inbox["items"][0]["overdue"], true);
}

#[tokio::test]
async fn due_dates_skip_weekends_tet_and_the_days_admins_enter() {
    let w = world().await;
    let db = &w.app.state.db;
    let admin = account(&w.app, "qt@vidu.vn", "Quản trị", Role::Admin, true).await;
    // Friday 5 February 2027 + 1 working day: Tết 2027 (6 February) and its days off, then the
    // weekend, come first.
    let cal = gopy::services::calendar::load(db).await.unwrap();
    let friday = NaiveDate::from_ymd_opt(2027, 2, 5).unwrap();
    let after_tet = cal.add_working_days(friday, 1);
    assert!(
        after_tet >= NaiveDate::from_ymd_opt(2027, 2, 11).unwrap(),
        "{after_tet}"
    );
    // An admin-added make-up working day (Saturday 13 February 2027) counts.
    let saturday = NaiveDate::from_ymd_opt(2027, 2, 13).unwrap();
    gopy::services::calendar::set_exception(db, saturday, true, "Làm bù theo thông báo", admin.id)
        .await
        .unwrap();
    let cal = gopy::services::calendar::load(db).await.unwrap();
    assert!(cal.is_working_day(saturday));
    let friday_12 = NaiveDate::from_ymd_opt(2027, 2, 12).unwrap();
    assert_eq!(cal.add_working_days(friday_12, 1), saturday);
    // An extra day off moves due dates past it.
    let monday = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    gopy::services::calendar::set_exception(
        db,
        monday,
        false,
        "Nghỉ thêm theo quyết định",
        admin.id,
    )
    .await
    .unwrap();
    let cal = gopy::services::calendar::load(db).await.unwrap();
    assert_eq!(
        cal.add_working_days(NaiveDate::from_ymd_opt(2027, 2, 26).unwrap(), 1),
        NaiveDate::from_ymd_opt(2027, 3, 2).unwrap()
    );
}

#[tokio::test]
async fn every_form_of_the_inbox_and_moderation_pages_refuses_a_missing_csrf_field() {
    let w = world().await;
    let moderator = w.moderator_user.clone();
    let routes = gopy::http::route_table();
    let posts: Vec<&str> = routes
        .entries()
        .iter()
        .filter(|e| {
            e.method == http::Method::POST
                && (e.path.starts_with("/agency/inbox") || e.path.starts_with("/moderation"))
        })
        .map(|e| e.path)
        .collect();
    assert!(posts.len() >= 7, "{posts:?}");
    for path in posts {
        let user = if path.starts_with("/agency") {
            &w.officer
        } else {
            &moderator
        };
        let mut browser = crate::helpers::browser::Browser::signed_in(&w.app, user).await;
        let uri = path.replace("{id}", &uuid::Uuid::now_v7().to_string());
        let response = browser.post(&uri, &[("decision", "approve")]).await;
        assert_eq!(response.status, 403, "{uri}: {}", response.status);
    }
}

#[tokio::test]
async fn an_officer_answers_and_a_moderator_grants_an_extension_from_the_pages() {
    let w = world().await;
    let (id, _) = w
        .comment(
            "binh@vidu.vn",
            "Đề nghị bố trí thêm thùng rác công cộng ở bến Ninh Kiều.",
        )
        .await;
    let decided = w.approve(&id, json!({})).await;
    let assignment = first_assignment(&decided);
    let mut officer = crate::helpers::browser::Browser::signed_in(&w.app, &w.officer).await;
    let inbox = officer.get("/agency/inbox").await;
    assert_eq!(inbox.status, 200);
    assert_eq!(
        crate::helpers::select_attrs(&inbox.html(), "[data-testid=inbox-link]", "href"),
        vec![format!("/agency/inbox/{assignment}")]
    );
    let item = format!("/agency/inbox/{assignment}");
    // An extension request without a reason comes back with the error.
    let refused = officer
        .submit(
            &item,
            &format!("{item}/extension"),
            &[("extra_working_days", "3"), ("reason", "")],
        )
        .await;
    assert_eq!(refused.status, 422);
    let asked = officer
        .submit(
            &item,
            &format!("{item}/extension"),
            &[
                ("extra_working_days", "3"),
                ("reason", "Chờ ý kiến của phường"),
            ],
        )
        .await;
    assert_eq!(asked.status, 303, "{}", asked.text());
    // The moderator grants it on the requests page.
    let moderator = w.moderator_user.clone();
    let mut front = crate::helpers::browser::Browser::signed_in(&w.app, &moderator).await;
    let page = front.get("/moderation/requests").await;
    let actions =
        crate::helpers::select_attrs(&page.html(), "[data-testid=request-row] form", "action");
    assert_eq!(actions.len(), 1);
    let granted = front
        .submit(
            "/moderation/requests",
            &actions[0],
            &[("decision", "grant"), ("note", "")],
        )
        .await;
    assert_eq!(granted.status, 303, "{}", granted.text());
    // The officer answers.
    let answered = officer
        .submit(
            &item,
            &format!("{item}/answer"),
            &[
                ("disposition", "explained"),
                ("body", "Phường sẽ bố trí 4 thùng rác trong tháng tới."),
            ],
        )
        .await;
    assert_eq!(answered.status, 303, "{}", answered.text());
    let public = w.app.get_page(&format!("/comments/{id}"), None).await;
    assert_eq!(
        crate::helpers::select_texts(&public.html(), "[data-testid=agency-answer] .comment__body"),
        vec!["Phường sẽ bố trí 4 thùng rác trong tháng tới."]
    );
}

#[tokio::test]
async fn a_ward_chosen_on_the_comment_form_routes_to_its_peoples_committee() {
    let w = world().await;
    let now = chrono::Utc::now();
    routing_rules::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        name: Set("Ủy ban phường, xã nơi có ý kiến".to_owned()),
        priority: Set(5),
        consultation_id: Set(Some(w.consultation.id)),
        consultation_kind: Set(None),
        clause_stable_key: Set(None),
        keyword: Set(None),
        unit_id: Set(None),
        target: Set("unit_committee".to_owned()),
        agency_id: Set(None),
        working_days: Set(None),
        is_active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&w.app.state.db)
    .await
    .unwrap();
    let resident = account(&w.app, "lan@vidu.vn", "Lê Thị Lan", Role::Resident, true).await;
    let mut browser = crate::helpers::browser::Browser::signed_in(&w.app, &resident).await;
    let form = format!("/consultations/{}/comment", w.consultation.id);
    let page = browser.get(&form).await;
    let units = crate::helpers::select_attrs(&page.html(), "#unit_code option", "value");
    assert!(units.iter().any(|u| u == "31150"), "{units:?}");
    let key = crate::helpers::select_attrs(&page.html(), "input[name=idempotency_key]", "value")[0]
        .clone();
    let sent = browser
        .submit(
            &form,
            &form,
            &[
                ("stance", "suggest"),
                (
                    "body",
                    "Đề nghị nâng cấp hẻm 12 phường An Bình, mùa mưa ngập sâu.",
                ),
                ("consent", "public_named"),
                ("unit_code", "31150"),
                ("idempotency_key", &key),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text());
    let comment = entity::comments::Entity::find()
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(comment.unit_id.is_some());
    let decided = w.approve(&comment.id.to_string(), json!({})).await;
    let committee = agencies::Entity::find()
        .filter(agencies::Column::Code.eq("UBND-31150"))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        decided["assignments"][0]["agency_id"],
        committee.id.to_string().as_str()
    );
}
