//! First run: reference data, samples and the admin account, loaded once.

use std::collections::HashSet;

use entity::enums::{Role, UnitLevel};
use entity::{
    admin_units, agencies, clauses, consultations, organizations, unit_successions, users,
};
use gopy::services::first_run;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

use crate::helpers::TestApp;

fn reference() -> Value {
    serde_json::from_str(include_str!("../../data/reference/can-tho.json")).unwrap()
}

fn samples() -> Value {
    serde_json::from_str(include_str!("../../data/samples/consultations.json")).unwrap()
}

fn count_nodes(nodes: &Value) -> usize {
    nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| 1 + count_nodes(&n["children"]))
        .sum()
}

#[tokio::test]
async fn first_run_loads_the_reference_data_of_the_file() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let reference = reference();
    let current = reference["units_current"].as_array().unwrap();
    let legacy = reference["units_legacy"].as_array().unwrap();
    let districts: HashSet<(String, String)> = legacy
        .iter()
        .map(|u| {
            (
                u["province"].as_str().unwrap().to_owned(),
                u["district"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let provinces: HashSet<&str> = legacy
        .iter()
        .map(|u| u["province"].as_str().unwrap())
        .collect();

    let in_force = admin_units::Entity::find()
        .filter(admin_units::Column::ValidTo.is_null())
        .filter(admin_units::Column::Level.eq(UnitLevel::Commune))
        .count(db)
        .await
        .unwrap();
    assert_eq!(
        in_force as usize,
        current.len(),
        "today's wards and communes"
    );
    let old = admin_units::Entity::find()
        .filter(admin_units::Column::ValidTo.is_not_null())
        .count(db)
        .await
        .unwrap();
    assert_eq!(
        old as usize,
        legacy.len() + districts.len() + provinces.len()
    );
    let old_districts = admin_units::Entity::find()
        .filter(admin_units::Column::Level.eq(UnitLevel::District))
        .count(db)
        .await
        .unwrap();
    assert_eq!(
        old_districts as usize,
        districts.len(),
        "districts exist only before the reform"
    );
    let links: usize = legacy
        .iter()
        .map(|u| u["merged_into"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        unit_successions::Entity::find().count(db).await.unwrap() as usize,
        links
    );
    assert_eq!(
        agencies::Entity::find().count(db).await.unwrap() as usize,
        reference["agencies"].as_array().unwrap().len()
    );
    assert_eq!(
        organizations::Entity::find().count(db).await.unwrap() as usize,
        reference["organizations"].as_array().unwrap().len()
    );
    assert_eq!(
        consultations::Entity::find().count(db).await.unwrap(),
        0,
        "samples are off in tests by default"
    );

    let (email, password) = app
        .first_run
        .admin
        .clone()
        .expect("an admin is created on first run");
    assert!(password.chars().count() >= 16);
    let admin = users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(admin.role, Role::Admin);
    assert!(admin.password_hash.starts_with("$argon2id$"));
    assert!(!admin.password_hash.contains(&password));
}

#[tokio::test]
async fn a_second_start_loads_nothing_twice_and_keeps_the_admin() {
    let app = TestApp::with_samples().await;
    let db = &app.state.db;
    let before = (
        admin_units::Entity::find().count(db).await.unwrap(),
        consultations::Entity::find().count(db).await.unwrap(),
        users::Entity::find().count(db).await.unwrap(),
    );
    let report = first_run::run(db, &app.state.settings).await.unwrap();
    assert!(!report.loaded_reference);
    assert!(
        report.admin.is_none(),
        "the admin password is printed only once"
    );
    let after = (
        admin_units::Entity::find().count(db).await.unwrap(),
        consultations::Entity::find().count(db).await.unwrap(),
        users::Entity::find().count(db).await.unwrap(),
    );
    assert_eq!(before, after);
}

#[tokio::test]
async fn samples_load_with_their_whole_clause_trees() {
    let app = TestApp::with_samples().await;
    let db = &app.state.db;
    let samples = samples();
    let expected = samples["consultations"].as_array().unwrap();
    assert_eq!(app.first_run.loaded_samples, expected.len());
    for sample in expected {
        let title = sample["title"].as_str().unwrap();
        let row = consultations::Entity::find()
            .filter(consultations::Column::Title.eq(title))
            .one(db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("sample {title} is loaded"));
        let stored = clauses::Entity::find()
            .filter(clauses::Column::ConsultationId.eq(row.id))
            .count(db)
            .await
            .unwrap();
        assert_eq!(
            stored as usize,
            count_nodes(&sample["clauses"]),
            "clauses of {title}"
        );
        assert!(
            row.closes_at - row.opens_at >= chrono::Duration::days(30),
            "window of {title}"
        );
    }
}

#[tokio::test]
async fn demo_accounts_cover_every_role_and_get_new_passwords_each_start() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let params = app.state.settings.password;
    let first = first_run::ensure_demo_accounts(db, params).await.unwrap();
    let roles: HashSet<&str> = first.iter().map(|a| a.role.as_str()).collect();
    assert_eq!(roles.len(), 5, "one account per role: {roles:?}");
    let second = first_run::ensure_demo_accounts(db, params).await.unwrap();
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.email, b.email);
        assert_ne!(a.password, b.password);
        let user = users::Entity::find()
            .filter(users::Column::Email.eq(&b.email))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert!(
            gopy::services::passwords::verify(b.password.clone(), user.password_hash)
                .await
                .unwrap()
        );
    }
    let officer = users::Entity::find()
        .filter(users::Column::Role.eq(Role::AgencyOfficer))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        officer.agency_id.is_some(),
        "the demo officer belongs to an agency"
    );
}
