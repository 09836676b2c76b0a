//! `/open-data`: the datasets of the public record with their download links, the licence
//! (CC BY 4.0) and what each field means; also the Atom feeds and the Open311 endpoint.

use askama::Template;
use axum::response::Response;

use crate::http::api::open_data::Dataset;
use crate::http::pages::{Layout, render};
use crate::services::open_data::{LICENCE, LICENCE_URL, SOURCE};

/// A field and what it means.
#[derive(Debug, Clone)]
pub struct FieldView {
    /// Column and JSON key.
    pub name: &'static str,
    /// Its meaning.
    pub description: &'static str,
}

/// A dataset as the page lists it.
#[derive(Debug, Clone)]
pub struct DatasetView {
    /// `consultations` ...
    pub name: &'static str,
    /// Heading.
    pub title: &'static str,
    /// What it holds.
    pub description: &'static str,
    /// Its fields.
    pub fields: Vec<FieldView>,
}

/// The page.
#[derive(Template)]
#[template(path = "open_data.html")]
pub struct OpenDataPage {
    /// Layout.
    pub layout: Layout,
    /// The datasets.
    pub datasets: Vec<DatasetView>,
    /// "CC BY 4.0".
    pub licence: &'static str,
    /// The licence's address.
    pub licence_url: &'static str,
    /// The attribution.
    pub source: &'static str,
}

/// `GET /open-data`.
pub async fn show_open_data(layout: Layout) -> Response {
    let t = layout.t;
    let datasets = Dataset::ALL
        .into_iter()
        .map(|d| DatasetView {
            name: d.as_str(),
            title: t.get(&format!("open_data.{}.title", d.as_str())),
            description: t.get(&format!("open_data.{}.description", d.as_str())),
            fields: d
                .fields()
                .iter()
                .map(|f| FieldView {
                    name: f,
                    description: t.get(&format!("open_data.field.{}.{f}", d.as_str())),
                })
                .collect(),
        })
        .collect();
    render(&OpenDataPage {
        layout: layout.titled(t.get("open_data.title")),
        datasets,
        licence: LICENCE,
        licence_url: LICENCE_URL,
        source: SOURCE,
    })
}
