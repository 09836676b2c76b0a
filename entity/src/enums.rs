//! Enumerations shared by the entities.
//!
//! Every enumeration is stored as a plain string (`varchar`) column so that
//! the schema is identical on SQLite and PostgreSQL. The database value, the
//! serde representation and [`as_str`](UnitLevel::as_str) all use the same
//! snake_case string.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Declares a string-backed enumeration with its SeaORM, serde, `as_str` and
/// `Display` implementations, keeping a single source for each string value.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident => $value:literal,
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            EnumIter,
            DeriveActiveEnum,
            Serialize,
            Deserialize,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $(
                $(#[$variant_meta])*
                #[sea_orm(string_value = $value)]
                $variant,
            )+
        }

        impl $name {
            /// The value stored in the database and used in JSON.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $(Self::$variant => $value,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// Level of an administrative unit.
    pub enum UnitLevel {
        /// Province or centrally-governed city (tỉnh, thành phố).
        Province => "province",
        /// District (quận, huyện, thị xã); abolished in 2025 but kept for history.
        District => "district",
        /// Commune level (phường, xã, thị trấn).
        Commune => "commune",
    }
}

string_enum! {
    /// Kind of government agency.
    pub enum AgencyKind {
        /// The city People's Committee itself.
        CityCommittee => "city_committee",
        /// A specialised department (sở).
        Department => "department",
        /// A local People's Committee (ward, commune).
        PeopleCommittee => "people_committee",
        /// A public utility (water, power, transport operator...).
        Utility => "utility",
        /// Anything else.
        Other => "other",
    }
}

string_enum! {
    /// Kind of civil-society organisation.
    pub enum OrganizationKind {
        /// The Vietnam Fatherland Front and its local committees.
        FatherlandFront => "fatherland_front",
        /// Mass organisations (women's union, youth union, veterans...).
        MassOrganization => "mass_organization",
        /// Professional associations (architects, lawyers...).
        ProfessionalAssociation => "professional_association",
        /// Anything else.
        Other => "other",
    }
}

string_enum! {
    /// Role of a user account.
    pub enum Role {
        /// A resident commenting in their own name.
        Resident => "resident",
        /// Speaks on behalf of an organisation.
        OrganizationRep => "organization_rep",
        /// Moderates comments.
        Moderator => "moderator",
        /// Works for an agency: publishes consultations and answers comments.
        AgencyOfficer => "agency_officer",
        /// Administers the platform.
        Admin => "admin",
    }
}

string_enum! {
    /// What is being consulted on.
    pub enum ConsultationKind {
        /// General (master) plan.
        GeneralPlan => "general_plan",
        /// Zoning plan.
        ZoningPlan => "zoning_plan",
        /// Detailed plan.
        DetailedPlan => "detailed_plan",
        /// Public investment project.
        InvestmentProject => "investment_project",
        /// Policy or draft legal document.
        Policy => "policy",
    }
}

string_enum! {
    /// Life-cycle state of a consultation.
    pub enum ConsultationStatus {
        /// Being prepared, not public.
        Draft => "draft",
        /// Public and accepting comments.
        Open => "open",
        /// No longer accepting comments; answers pending.
        Closed => "closed",
        /// Final report published.
        Concluded => "concluded",
    }
}

string_enum! {
    /// Level of a clause in the structure of a Vietnamese legal text.
    pub enum ClauseLevel {
        /// Phần (part), above chương in large codes.
        Phan => "phan",
        /// Chương (chapter).
        Chuong => "chuong",
        /// Mục (section).
        Muc => "muc",
        /// Điều (article).
        Dieu => "dieu",
        /// Khoản (clause).
        Khoan => "khoan",
        /// Điểm (point).
        Diem => "diem",
    }
}

string_enum! {
    /// How a comment reached the platform.
    pub enum Channel {
        /// Submitted on the website or through the API.
        Online => "online",
        /// Keyed in from a paper form.
        PaperForm => "paper_form",
        /// Recorded at a public meeting.
        Meeting => "meeting",
        /// Received by e-mail.
        Email => "email",
        /// Received by telephone hotline.
        Hotline => "hotline",
    }
}

string_enum! {
    /// Position a comment takes.
    pub enum Stance {
        /// In favour.
        Support => "support",
        /// Against.
        Oppose => "oppose",
        /// Proposes a change.
        Suggest => "suggest",
        /// Asks a question.
        Question => "question",
    }
}

string_enum! {
    /// What the author agreed to publish.
    pub enum Consent {
        /// Publish with the author's name.
        PublicNamed => "public_named",
        /// Publish without the author's name.
        PublicAnonymous => "public_anonymous",
        /// Do not publish; only the agencies see it.
        Private => "private",
    }
}

string_enum! {
    /// Moderation state of a comment.
    pub enum CommentStatus {
        /// Waiting for a moderator.
        Pending => "pending",
        /// A moderator asked the author to edit it.
        EditRequested => "edit_requested",
        /// Accepted; visible according to consent.
        Approved => "approved",
        /// Refused, with a reason.
        Rejected => "rejected",
    }
}

string_enum! {
    /// A moderator's decision on a comment.
    pub enum Decision {
        /// Approve (possibly with redactions).
        Approve => "approve",
        /// Reject with a reason code.
        Reject => "reject",
        /// Ask the author for an edit.
        RequestEdit => "request_edit",
        /// Approve and merge into a campaign of near-duplicates.
        Merge => "merge",
    }
}

string_enum! {
    /// State of an assignment of a comment to an agency.
    pub enum AssignmentStatus {
        /// Waiting for the agency's answer.
        Open => "open",
        /// The agency has answered.
        Answered => "answered",
        /// The agency asked for the comment to go to another agency.
        TransferRequested => "transfer_requested",
        /// Moved to another agency (a new assignment exists).
        Transferred => "transferred",
        /// Closed without an answer from this agency.
        Closed => "closed",
    }
}

string_enum! {
    /// How an agency disposed of a comment.
    pub enum Disposition {
        /// The suggestion is taken on board.
        Accepted => "accepted",
        /// Partly taken on board.
        PartiallyAccepted => "partially_accepted",
        /// Not taken on board (with reasons).
        NotAccepted => "not_accepted",
        /// An explanation, e.g. for a question.
        Explained => "explained",
    }
}

string_enum! {
    /// Where a critique document of the Fatherland Front stands.
    pub enum CritiqueStatus {
        /// Being written by moderators; only they see it.
        Draft => "draft",
        /// Sent to the lead agency, waiting for its written reply.
        Sent => "sent",
        /// The agency replied.
        Answered => "answered",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The database value, `as_str`, `Display` and serde agree for every
    /// variant of `E`.
    fn check<E>()
    where
        E: ActiveEnum<Value = String>
            + sea_orm::Iterable
            + Serialize
            + for<'de> Deserialize<'de>
            + std::fmt::Display
            + PartialEq
            + std::fmt::Debug,
    {
        for variant in E::iter() {
            let db = variant.to_value();
            assert_eq!(variant.to_string(), db);
            assert_eq!(
                serde_json::to_value(&variant).ok(),
                Some(serde_json::Value::String(db.clone()))
            );
            assert_eq!(
                serde_json::from_value::<E>(serde_json::Value::String(db.clone())).ok(),
                Some(variant)
            );
            assert!(
                db.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{db} is not snake_case"
            );
        }
    }

    #[test]
    fn string_values_are_consistent() {
        check::<UnitLevel>();
        check::<AgencyKind>();
        check::<OrganizationKind>();
        check::<Role>();
        check::<ConsultationKind>();
        check::<ConsultationStatus>();
        check::<ClauseLevel>();
        check::<Channel>();
        check::<Stance>();
        check::<Consent>();
        check::<CommentStatus>();
        check::<Decision>();
        check::<AssignmentStatus>();
        check::<Disposition>();
        check::<CritiqueStatus>();
    }

    #[test]
    fn as_str_matches_the_listed_values() {
        assert_eq!(Role::OrganizationRep.as_str(), "organization_rep");
        assert_eq!(
            AssignmentStatus::TransferRequested.as_str(),
            "transfer_requested"
        );
        assert_eq!(
            Disposition::PartiallyAccepted.as_str(),
            "partially_accepted"
        );
        assert_eq!(ClauseLevel::Diem.as_str(), "diem");
    }
}

string_enum! {
    /// What a single-use emailed token is for.
    pub enum TokenPurpose {
        /// Proves the account holder receives mail at the address.
        VerifyEmail => "verify_email",
        /// Lets the account holder choose a new password.
        ResetPassword => "reset_password",
    }
}
