//! The one place that decides who may do what. Handlers ask; they never decide on their own.

use entity::enums::Role;
use uuid::Uuid;

/// Who is asking: nobody, or a signed-in account with its role and membership.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// The account, when signed in.
    pub account: Option<ActorAccount>,
}

/// The facts about an account that permissions depend on.
#[derive(Debug, Clone)]
pub struct ActorAccount {
    /// Account id.
    pub user_id: Uuid,
    /// Role.
    pub role: Role,
    /// Agency of an officer.
    pub agency_id: Option<Uuid>,
    /// Organization of a representative or moderator.
    pub organization_id: Option<Uuid>,
    /// Whether the email address is verified.
    pub verified: bool,
}

/// Something an actor may want to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Read public pages and API answers.
    ReadPublic,
    /// See and change one's own account, sign out.
    ManageOwnAccount,
    /// Create, deactivate and reset accounts.
    AdministerAccounts,
    /// Moderate comments on a consultation led by this agency.
    Moderate {
        /// Lead agency of the consultation.
        lead_agency_id: Uuid,
    },
    /// See the moderation queue, flags and campaigns (moderators only).
    ModerateQueue,
    /// Comment on a consultation (residents; representatives on behalf of their organization).
    Comment,
    /// Read a comment that is not public (pending, rejected, or not to be published).
    ReadUnpublishedComment {
        /// The comment's author, if it has one.
        author_id: Option<Uuid>,
    },
    /// Write consultations at all (agency officers and admins); which ones is decided by
    /// `PublishConsultation`.
    AuthorConsultations,
    /// Publish and edit consultations of this agency.
    PublishConsultation {
        /// The consultation's lead agency.
        lead_agency_id: Uuid,
    },
    /// Key in comments received offline (paper forms, meetings, e-mail, hotline) in bulk.
    ImportComments,
    /// See an agency's inbox of assigned comments (agency officers).
    ReadInbox,
    /// Answer, transfer or ask more time for assignments of this agency (its officers).
    AnswerAssignments {
        /// The assignment's agency.
        agency_id: Uuid,
    },
    /// Grant or refuse transfers and extensions (moderators).
    DecideAssignmentRequests,
    /// Edit routing rules and the calendar's exceptions (admins).
    AdministerRouting,
    /// Read a consultation's reports (synthesis, acceptance table): moderators, the lead
    /// agency's officers and admins at any time; everyone once it is closed.
    ReadReports {
        /// The consultation's lead agency.
        lead_agency_id: Uuid,
        /// Whether the consultation is closed (or concluded).
        closed: bool,
    },
    /// Sign off a consultation's acceptance table (officers of its lead agency).
    SignOffAcceptance {
        /// The consultation's lead agency.
        lead_agency_id: Uuid,
    },
}

impl Actor {
    /// An actor who is not signed in.
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// Whether this actor may perform `action`.
    pub fn can(&self, action: &Action) -> bool {
        let Some(account) = &self.account else {
            return matches!(
                action,
                Action::ReadPublic | Action::ReadReports { closed: true, .. }
            );
        };
        match action {
            Action::ReadPublic | Action::ManageOwnAccount => true,
            Action::Comment => matches!(account.role, Role::Resident | Role::OrganizationRep),
            Action::ReadUnpublishedComment { author_id } => {
                account.role == Role::Moderator || *author_id == Some(account.user_id)
            }
            Action::AdministerAccounts => account.role == Role::Admin,
            Action::ImportComments => matches!(account.role, Role::Moderator | Role::Admin),
            // Moderation belongs to the Fatherland Front; an officer, even of the lead agency,
            // never moderates (separation of powers).
            Action::Moderate { .. } | Action::ModerateQueue => account.role == Role::Moderator,
            Action::AuthorConsultations => {
                matches!(account.role, Role::AgencyOfficer | Role::Admin)
            }
            Action::ReadInbox => account.role == Role::AgencyOfficer && account.agency_id.is_some(),
            Action::AnswerAssignments { agency_id } => {
                account.role == Role::AgencyOfficer && account.agency_id == Some(*agency_id)
            }
            Action::DecideAssignmentRequests => account.role == Role::Moderator,
            Action::AdministerRouting => account.role == Role::Admin,
            Action::ReadReports {
                lead_agency_id,
                closed,
            } => {
                *closed
                    || matches!(account.role, Role::Moderator | Role::Admin)
                    || (account.role == Role::AgencyOfficer
                        && account.agency_id == Some(*lead_agency_id))
            }
            Action::SignOffAcceptance { lead_agency_id } => {
                account.role == Role::AgencyOfficer && account.agency_id == Some(*lead_agency_id)
            }
            Action::PublishConsultation { lead_agency_id } => match account.role {
                Role::Admin => true,
                Role::AgencyOfficer => account.agency_id == Some(*lead_agency_id),
                _ => false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, agency_id: Option<Uuid>) -> Actor {
        Actor {
            account: Some(ActorAccount {
                user_id: Uuid::now_v7(),
                role,
                agency_id,
                organization_id: None,
                verified: true,
            }),
        }
    }

    #[test]
    fn officers_of_the_lead_agency_publish_but_never_moderate() {
        let agency = Uuid::now_v7();
        let officer = actor(Role::AgencyOfficer, Some(agency));
        assert!(officer.can(&Action::PublishConsultation {
            lead_agency_id: agency
        }));
        assert!(!officer.can(&Action::PublishConsultation {
            lead_agency_id: Uuid::now_v7()
        }));
        assert!(!officer.can(&Action::Moderate {
            lead_agency_id: agency
        }));
        assert!(actor(Role::Moderator, None).can(&Action::Moderate {
            lead_agency_id: agency
        }));
    }

    #[test]
    fn unpublished_comments_are_for_their_author_and_moderators_only() {
        let resident = actor(Role::Resident, None);
        let own = resident.account.as_ref().map(|a| a.user_id);
        assert!(resident.can(&Action::ReadUnpublishedComment { author_id: own }));
        assert!(!resident.can(&Action::ReadUnpublishedComment {
            author_id: Some(Uuid::now_v7())
        }));
        assert!(
            actor(Role::Moderator, None).can(&Action::ReadUnpublishedComment { author_id: None })
        );
        let officer = actor(Role::AgencyOfficer, Some(Uuid::now_v7()));
        assert!(!officer.can(&Action::ReadUnpublishedComment { author_id: None }));
        assert!(!Actor::anonymous().can(&Action::ReadUnpublishedComment { author_id: None }));
        assert!(!officer.can(&Action::Comment));
        assert!(actor(Role::OrganizationRep, None).can(&Action::Comment));
    }

    #[test]
    fn only_moderators_and_admins_import_comments() {
        assert!(actor(Role::Moderator, None).can(&Action::ImportComments));
        assert!(actor(Role::Admin, None).can(&Action::ImportComments));
        for role in [Role::Resident, Role::OrganizationRep, Role::AgencyOfficer] {
            assert!(
                !actor(role, Some(Uuid::now_v7())).can(&Action::ImportComments),
                "{role:?}"
            );
        }
        assert!(!Actor::anonymous().can(&Action::ImportComments));
    }

    #[test]
    fn reports_are_public_once_closed_and_only_the_lead_agency_signs_them() {
        let lead = Uuid::now_v7();
        let open = Action::ReadReports {
            lead_agency_id: lead,
            closed: false,
        };
        let closed = Action::ReadReports {
            lead_agency_id: lead,
            closed: true,
        };
        assert!(Actor::anonymous().can(&closed));
        assert!(!Actor::anonymous().can(&open));
        assert!(!actor(Role::Resident, None).can(&open));
        assert!(!actor(Role::AgencyOfficer, Some(Uuid::now_v7())).can(&open));
        assert!(actor(Role::AgencyOfficer, Some(lead)).can(&open));
        assert!(actor(Role::Moderator, None).can(&open));
        assert!(actor(Role::Admin, None).can(&open));
        let sign = Action::SignOffAcceptance {
            lead_agency_id: lead,
        };
        assert!(actor(Role::AgencyOfficer, Some(lead)).can(&sign));
        for who in [
            actor(Role::AgencyOfficer, Some(Uuid::now_v7())),
            actor(Role::Moderator, None),
            actor(Role::Admin, None),
            Actor::anonymous(),
        ] {
            assert!(!who.can(&sign));
        }
    }

    #[test]
    fn anonymous_visitors_only_read() {
        let nobody = Actor::anonymous();
        assert!(nobody.can(&Action::ReadPublic));
        assert!(!nobody.can(&Action::ManageOwnAccount));
        assert!(!nobody.can(&Action::AdministerAccounts));
        assert!(!actor(Role::Resident, None).can(&Action::AdministerAccounts));
        assert!(actor(Role::Admin, None).can(&Action::AdministerAccounts));
    }
}
