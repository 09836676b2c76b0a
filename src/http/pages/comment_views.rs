//! Reading comments on pages: the items of a consultation's public list, one comment's page
//! (the full record, earlier versions included, for its author and moderators; the files for
//! whoever may see the comment), endorsing ("đồng tình") and the list of one's own comments.
//! The JSON equivalents are in `http::api::comments`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use entity::enums::CommentStatus;
use entity::{comment_revisions, comments};
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::time::{date_vn, datetime_vn};
use crate::error::Error;
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::{AccountHolder, PageViewer, sign_in_location};
use crate::http::pages::comment_files::{AttachmentRow, attachment_rows};
use crate::http::pages::comments::require_commenter;
use crate::http::pages::consultations::clause_paths;
use crate::http::pages::{Layout, is_local_path, render};
use crate::http::problem::PageError;
use crate::i18n::Tr;
use crate::policy::Action;
use crate::services::comment_reading::{self, CommentView, PublicComment, Sort};
use crate::services::{attachments, comments as comment_service, consultations, now};
use crate::state::AppState;

/// A published comment as lists and its page show it.
#[derive(Debug, Clone)]
pub struct CommentItem {
    /// Id, for links and the endorsement form.
    pub id: String,
    /// Name as the author consented, or the organization's name.
    pub author: String,
    /// Whether an organization wrote it.
    pub by_organization: bool,
    /// Stance code, for styling.
    pub stance: &'static str,
    /// Translated stance.
    pub stance_label: &'static str,
    /// Submission date, dd/mm/yyyy.
    pub date: String,
    /// Endorsements.
    pub endorsements: u64,
    /// Published text.
    pub body: String,
    /// The clause it is about ("Điều 5, khoản 2"), `None` for the whole draft.
    pub clause: Option<String>,
    /// Where the endorsement form returns to.
    pub back: String,
    /// The files attached (filled where a list shows them).
    pub attachments: Vec<AttachmentRow>,
    /// Agencies' answers: (agency, disposition label, text, date).
    pub answers: Vec<(String, &'static str, String, String)>,
    /// Agencies still to answer: (agency, due date, overdue).
    pub waiting: Vec<(String, String, bool)>,
}

/// The `sort` parameter's value for an order.
pub fn sort_code(sort: Sort) -> &'static str {
    match sort {
        Sort::Newest => "newest",
        Sort::Oldest => "oldest",
        Sort::MostEndorsed => "most_endorsed",
    }
}

/// List items from public comments; `paths` names the clauses, `back` is the list's address.
pub fn comment_items(
    items: Vec<PublicComment>,
    paths: &HashMap<Uuid, String>,
    t: Tr,
    back: &str,
) -> Vec<CommentItem> {
    items.into_iter().map(|c| item(c, paths, t, back)).collect()
}

fn item(c: PublicComment, paths: &HashMap<Uuid, String>, t: Tr, back: &str) -> CommentItem {
    let stance = c.stance.as_str();
    CommentItem {
        id: c.id.to_string(),
        author: c.author,
        by_organization: c.by_organization,
        stance,
        stance_label: t.get(&format!("stance.{stance}")),
        date: date_vn(c.created_at),
        endorsements: c.endorsement_count,
        body: c.body,
        clause: c.clause_id.and_then(|id| paths.get(&id).cloned()),
        back: back.to_owned(),
        attachments: Vec::new(),
        answers: c
            .routing
            .answers
            .iter()
            .map(|a| {
                (
                    a.agency_name.clone(),
                    t.get(&format!("disposition.{}", a.disposition.as_str())),
                    a.body.clone(),
                    date_vn(a.answered_at),
                )
            })
            .collect(),
        waiting: c
            .routing
            .waiting
            .iter()
            .map(|(name, due, overdue)| {
                (name.clone(), due.format("%d/%m/%Y").to_string(), *overdue)
            })
            .collect(),
    }
}

/// An earlier version of a comment, kept when its author edited it.
#[derive(Debug, Clone)]
pub struct RevisionRow {
    /// When it was replaced, `hh:mm dd/mm/yyyy`.
    pub replaced_at: String,
    /// Translated stance of that version.
    pub stance_label: &'static str,
    /// Its text.
    pub body: String,
}

fn revision_rows(rows: &[comment_revisions::Model], t: Tr) -> Vec<RevisionRow> {
    rows.iter()
        .map(|r| RevisionRow {
            replaced_at: datetime_vn(r.edited_at),
            stance_label: t.get(&format!("stance.{}", r.stance.as_str())),
            body: r.body.clone(),
        })
        .collect()
}

/// Whether the author may still change a comment (moderation has not decided it).
pub fn editable(status: &CommentStatus) -> bool {
    matches!(
        status,
        CommentStatus::Pending | CommentStatus::EditRequested
    )
}

/// What only the author and moderators see of a comment.
#[derive(Debug, Clone)]
pub struct PrivateFacts {
    /// Status code, for styling.
    pub status: &'static str,
    /// Translated status.
    pub status_label: &'static str,
    /// Tracking code.
    pub tracking_code: String,
    /// Translated publication consent.
    pub consent_label: &'static str,
    /// The text as sent.
    pub original: String,
    /// Whether the viewer wrote it.
    pub own: bool,
    /// Whether the viewer wrote it and may still change it.
    pub can_edit: bool,
    /// Earlier versions, oldest first.
    pub revisions: Vec<RevisionRow>,
}

/// One comment's page.
#[derive(Template)]
#[template(path = "comment.html")]
pub struct CommentPage {
    /// Layout.
    pub layout: Layout,
    /// Consultation id.
    pub consultation_id: String,
    /// Consultation title.
    pub consultation_title: String,
    /// The comment as the public sees it (for the full record: the published text, if any).
    pub item: CommentItem,
    /// Whether the comment is public.
    pub public: bool,
    /// The full record, for its author and moderators.
    pub private: Option<PrivateFacts>,
    /// Whether the viewer may endorse.
    pub can_endorse: bool,
    /// Whether the viewer is signed in.
    pub signed_in: bool,
    /// Sign-in link returning here.
    pub sign_in_href: String,
    /// The files attached, for whoever may see the comment.
    pub attachments: Vec<AttachmentRow>,
}

/// `GET /comments/{id}`: a public comment for everyone; the full record for its author and
/// moderators; "not found" for anyone else.
pub async fn show_comment(
    State(state): State<AppState>,
    layout: Layout,
    PageViewer(viewer): PageViewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id).map_err(|_| layout.fail(Error::NotFound("comment")))?;
    let actor = viewer.actor();
    let view = comment_reading::get(&state.db, id, &actor)
        .await
        .map_err(|e| layout.fail(e))?;
    let t = layout.t;
    let back = format!("/comments/{id}");
    let (public, consultation_id, clause_id) = match &view {
        CommentView::Public(c) => (true, c.consultation_id, c.clause_id),
        CommentView::Full(c, _) => (
            comment_service::is_public(c),
            c.consultation_id,
            c.clause_id,
        ),
    };
    let detail = consultations::get_public(&state.db, consultation_id, now())
        .await
        .map_err(|e| layout.fail(e))?;
    let paths = clause_paths(&detail.clauses, t);
    let (c, private) = match view {
        CommentView::Public(c) => (item(c, &paths, t, &back), None),
        CommentView::Full(c, endorsements) => {
            let author = comment_service::public_author(&state.db, &c)
                .await
                .map_err(|e| layout.fail(e))?;
            let own = viewer
                .signed_in
                .as_ref()
                .is_some_and(|s| c.author_id == Some(s.user.id));
            let mut facts = private_facts(&c, own, t);
            let revisions = comment_service::revisions(&state.db, c.id)
                .await
                .map_err(|e| layout.fail(e))?;
            facts.revisions = revision_rows(&revisions, t);
            let routing = crate::services::assignments::public_routing(&state.db, &[c.id])
                .await
                .map_err(|e| layout.fail(e))?
                .remove(&c.id)
                .unwrap_or_default();
            let public_view = PublicComment {
                id: c.id,
                consultation_id: c.consultation_id,
                clause_id: c.clause_id,
                stance: c.stance,
                body: c.public_body.clone().unwrap_or_default(),
                author,
                by_organization: c.organization_id.is_some(),
                created_at: c.created_at,
                endorsement_count: endorsements,
                routing,
            };
            (item(public_view, &paths, t, &back), Some(facts))
        }
    };
    let files = attachments::list_for_comment(&state.db, &actor, id)
        .await
        .map_err(|e| layout.fail(e))?;
    let about = match clause_id.and_then(|id| paths.get(&id)) {
        Some(path) => format!("{}{path}", t.get("comment.title_prefix")),
        None => t.get("comment.title_whole").to_owned(),
    };
    let page = CommentPage {
        layout: layout.titled(about),
        consultation_id: consultation_id.to_string(),
        consultation_title: detail.summary.consultation.title.clone(),
        item: c,
        public,
        private,
        can_endorse: actor.can(&Action::Comment),
        signed_in: viewer.signed_in.is_some(),
        sign_in_href: sign_in_location(&back),
        attachments: attachment_rows(&files),
    };
    Ok(render(&page))
}

fn private_facts(c: &comments::Model, own: bool, t: Tr) -> PrivateFacts {
    let status = c.status.as_str();
    PrivateFacts {
        status: status_class(&c.status),
        status_label: t.get(&format!("comment_status.{status}")),
        tracking_code: c.tracking_code.clone(),
        consent_label: t.get(&format!("consent.{}", c.consent.as_str())),
        original: c.body.clone(),
        own,
        can_edit: own && editable(&c.status),
        revisions: Vec::new(),
    }
}

/// The tag style of a comment status.
pub fn status_class(status: &CommentStatus) -> &'static str {
    match status {
        CommentStatus::Pending => "pending",
        CommentStatus::EditRequested => "edit-requested",
        CommentStatus::Approved => "approved",
        CommentStatus::Rejected => "rejected",
    }
}

/// The endorsement form: where to come back to.
#[derive(Debug, Deserialize)]
pub struct EndorseForm {
    #[serde(default)]
    back: String,
}

/// `POST /comments/{id}/endorse`: agrees with a public comment (once per person), then returns
/// to the list or page the button was on.
pub async fn endorse(
    State(state): State<AppState>,
    layout: Layout,
    PageViewer(viewer): PageViewer,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<EndorseForm>,
) -> Result<Response, PageError> {
    // Only pages of gopy that list comments are places to come back to.
    let back = Some(form.back.as_str())
        .filter(|b| is_local_path(b))
        .filter(|b| b.starts_with("/consultations/") || b.starts_with("/comments/"))
        .map_or_else(
            || format!("/comments/{id}"),
            |b| b.split('#').next().unwrap_or(b).to_owned(),
        );
    let user = match require_commenter(&layout, &viewer, &back) {
        Ok(user) => user,
        Err(response) => return Ok(*response),
    };
    let id = Uuid::parse_str(&id).map_err(|_| layout.fail(Error::NotFound("comment")))?;
    comment_reading::endorse(&state.db, id, user.id)
        .await
        .map_err(|e| layout.fail(e))?;
    let separator = if back.contains('?') { '&' } else { '?' };
    Ok(see_other(&format!(
        "{back}{separator}notice=endorsed#comment-{id}"
    )))
}

/// One of the author's comments in their list.
#[derive(Debug, Clone)]
pub struct MyComment {
    /// Id, for the link.
    pub id: String,
    /// Status code, for styling.
    pub status: &'static str,
    /// Translated status.
    pub status_label: &'static str,
    /// Consultation id.
    pub consultation_id: String,
    /// Consultation title.
    pub consultation_title: String,
    /// Submission time, `hh:mm dd/mm/yyyy`.
    pub date: String,
    /// Tracking code.
    pub code: String,
    /// The beginning of the text.
    pub excerpt: String,
    /// Whether it may still be changed.
    pub editable: bool,
}

/// The list of the account's comments.
#[derive(Template)]
#[template(path = "my_comments.html")]
pub struct MyCommentsPage {
    /// Layout.
    pub layout: Layout,
    /// Comments, newest first.
    pub comments: Vec<MyComment>,
}

/// `GET /account/comments`: every comment of the account, with its status and code.
pub async fn show_my_comments(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(holder): AccountHolder,
) -> Result<Response, PageError> {
    let rows = comment_reading::list_by_author(&state.db, holder.user.id)
        .await
        .map_err(|e| layout.fail(e))?;
    let ids = rows.iter().map(|c| c.consultation_id).collect();
    let titles = consultations::titles(&state.db, ids)
        .await
        .map_err(|e| layout.fail(e))?;
    let t = layout.t;
    let comments = rows
        .iter()
        .map(|c| MyComment {
            id: c.id.to_string(),
            status: status_class(&c.status),
            status_label: t.get(&format!("comment_status.{}", c.status.as_str())),
            consultation_id: c.consultation_id.to_string(),
            consultation_title: titles.get(&c.consultation_id).cloned().unwrap_or_default(),
            date: datetime_vn(c.created_at),
            code: c.tracking_code.clone(),
            excerpt: excerpt(&c.body, 160),
            editable: editable(&c.status),
        })
        .collect();
    Ok(render(&MyCommentsPage {
        layout: layout.titled(t.get("my_comments.title")),
        comments,
    }))
}

/// The first `max` characters of a text, with "…" when cut.
fn excerpt(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{}…", head.trim_end())
    } else {
        head
    }
}
