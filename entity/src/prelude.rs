//! Convenient imports: every entity under its table name, and every enum.
//!
//! ```
//! use entity::prelude::*;
//!
//! let _ = (Comments, CommentStatus::Pending);
//! ```

pub use crate::enums::{
    AgencyKind, AssignmentStatus, Channel, ClauseLevel, CommentStatus, Consent, ConsultationKind,
    ConsultationStatus, CritiqueStatus, Decision, Disposition, OrganizationKind, Role, Stance,
    UnitLevel,
};

pub use crate::acceptance_rows::Entity as AcceptanceRows;
pub use crate::acceptance_signoffs::Entity as AcceptanceSignoffs;
pub use crate::admin_units::Entity as AdminUnits;
pub use crate::agencies::Entity as Agencies;
pub use crate::agency_responses::Entity as AgencyResponses;
pub use crate::agency_units::Entity as AgencyUnits;
pub use crate::api_tokens::Entity as ApiTokens;
pub use crate::assignments::Entity as Assignments;
pub use crate::audit_events::Entity as AuditEvents;
pub use crate::campaigns::Entity as Campaigns;
pub use crate::clauses::Entity as Clauses;
pub use crate::comment_attachments::Entity as CommentAttachments;
pub use crate::comment_revisions::Entity as CommentRevisions;
pub use crate::comment_themes::Entity as CommentThemes;
pub use crate::comments::Entity as Comments;
pub use crate::consultation_units::Entity as ConsultationUnits;
pub use crate::consultations::Entity as Consultations;
pub use crate::critique_citations::Entity as CritiqueCitations;
pub use crate::critiques::Entity as Critiques;
pub use crate::documents::Entity as Documents;
pub use crate::endorsements::Entity as Endorsements;
pub use crate::moderation_decisions::Entity as ModerationDecisions;
pub use crate::organizations::Entity as Organizations;
pub use crate::outbox::Entity as Outbox;
pub use crate::sessions::Entity as Sessions;
pub use crate::themes::Entity as Themes;
pub use crate::unit_successions::Entity as UnitSuccessions;
pub use crate::users::Entity as Users;
