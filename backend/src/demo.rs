//! The demo network: an importer in Germany buying from an exporter in
//! Singapore, each with its bank, a supervisor and the platform operator,
//! and people for every role. Seeding is idempotent: ids derive from the
//! organisations' and people's natural keys, and existing rows are kept.
//!
//! The BICs are test-and-training BICs (a `0` as the location code's second
//! character, ISO 9362), the LEIs carry valid check digits but belong to
//! nobody, the holiday lists are illustrative: load a bank's official
//! calendar before relying on a deadline.

use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use crate::domain::{Bic, CountryCode, Lei, OrganisationKind, Role};
use crate::store::reference::{self as store, Calendar, Holiday, Membership, Organisation, User};

/// Namespace of the demo's name-based ids.
const DEMO_NAMESPACE: Uuid = Uuid::from_u128(0x5f1e_3c9a_7d2b_4e8f_a1c0_6b5d_9e2f_3a47);

#[derive(Debug)]
pub struct DemoOrganisation {
    pub key: &'static str,
    pub kind: OrganisationKind,
    pub legal_name: &'static str,
    pub country: &'static str,
    pub bic: Option<&'static str>,
    /// The LEI's first 18 characters; the check digits are computed.
    pub lei_prefix: Option<&'static str>,
    pub calendar: Option<&'static str>,
}

#[derive(Debug)]
pub struct DemoPerson {
    pub email: &'static str,
    pub display_name: &'static str,
    pub organisation: &'static str,
    pub roles: &'static [Role],
}

pub const ORGANISATIONS: &[DemoOrganisation] = &[
    DemoOrganisation {
        key: "issuing-bank",
        kind: OrganisationKind::Bank,
        legal_name: "Hanseatic Merchant Bank AG",
        country: "DE",
        bic: Some("HMBKDEF0XXX"),
        lei_prefix: None,
        calendar: Some("DE-FF"),
    },
    DemoOrganisation {
        key: "advising-bank",
        kind: OrganisationKind::Bank,
        legal_name: "Straits Commerce Bank Ltd",
        country: "SG",
        bic: Some("STCMSGS0XXX"),
        lei_prefix: None,
        calendar: Some("SG"),
    },
    DemoOrganisation {
        key: "importer",
        kind: OrganisationKind::Corporate,
        legal_name: "Rhein Valley Instruments GmbH",
        country: "DE",
        bic: None,
        lei_prefix: Some("529900RVINSTRUMNT1"),
        calendar: Some("DE-FF"),
    },
    DemoOrganisation {
        key: "exporter",
        kind: OrganisationKind::Corporate,
        legal_name: "Lion City Components Pte Ltd",
        country: "SG",
        bic: None,
        lei_prefix: Some("549300LIONCITYCMP1"),
        calendar: Some("SG"),
    },
    DemoOrganisation {
        key: "regulator",
        kind: OrganisationKind::Regulator,
        legal_name: "Trade Finance Supervisory Authority",
        country: "DE",
        bic: None,
        lei_prefix: None,
        calendar: None,
    },
    DemoOrganisation {
        key: "operator",
        kind: OrganisationKind::Operator,
        legal_name: "Letter of Credit Platform Operations",
        country: "DE",
        bic: None,
        lei_prefix: None,
        calendar: None,
    },
];

pub const PEOPLE: &[DemoPerson] = &[
    DemoPerson {
        email: "anna.maker@rhein-valley.example",
        display_name: "Anna Maker",
        organisation: "importer",
        roles: &[Role::ApplicantMaker],
    },
    DemoPerson {
        email: "ben.checker@rhein-valley.example",
        display_name: "Ben Checker",
        organisation: "importer",
        roles: &[Role::ApplicantChecker],
    },
    DemoPerson {
        email: "carla.admin@rhein-valley.example",
        display_name: "Carla Admin",
        organisation: "importer",
        roles: &[Role::CorporateAdministrator],
    },
    DemoPerson {
        email: "dev.exporter@lioncity.example",
        display_name: "Dev Exporter",
        organisation: "exporter",
        roles: &[Role::BeneficiaryUser],
    },
    DemoPerson {
        email: "elin.admin@lioncity.example",
        display_name: "Elin Admin",
        organisation: "exporter",
        roles: &[Role::CorporateAdministrator],
    },
    DemoPerson {
        email: "hanna.maker@hmbk.example",
        display_name: "Hanna Maker",
        organisation: "issuing-bank",
        roles: &[Role::BankMaker],
    },
    DemoPerson {
        email: "henrik.checker@hmbk.example",
        display_name: "Henrik Checker",
        organisation: "issuing-bank",
        roles: &[Role::BankChecker],
    },
    DemoPerson {
        email: "hilde.checker@hmbk.example",
        display_name: "Hilde Checker",
        organisation: "issuing-bank",
        roles: &[Role::BankChecker],
    },
    DemoPerson {
        email: "hugo.admin@hmbk.example",
        display_name: "Hugo Admin",
        organisation: "issuing-bank",
        roles: &[Role::BankAdministrator],
    },
    DemoPerson {
        email: "sam.maker@stcm.example",
        display_name: "Sam Maker",
        organisation: "advising-bank",
        roles: &[Role::BankMaker],
    },
    DemoPerson {
        email: "siti.checker@stcm.example",
        display_name: "Siti Checker",
        organisation: "advising-bank",
        roles: &[Role::BankChecker],
    },
    DemoPerson {
        email: "sean.admin@stcm.example",
        display_name: "Sean Admin",
        organisation: "advising-bank",
        roles: &[Role::BankAdministrator],
    },
    DemoPerson {
        email: "rita.reader@supervisor.example",
        display_name: "Rita Reader",
        organisation: "regulator",
        roles: &[Role::Regulator],
    },
    DemoPerson {
        email: "otto.ops@operator.example",
        display_name: "Otto Ops",
        organisation: "operator",
        roles: &[Role::Operator],
    },
];

/// An ERP system of the demo: an OAuth2 client at the demo identity
/// provider, bound here to one organisation and its roles.
#[derive(Debug)]
pub struct DemoErpClient {
    pub client_id: &'static str,
    pub organisation: &'static str,
    pub roles: &'static [Role],
}

pub const ERP_CLIENTS: &[DemoErpClient] = &[
    DemoErpClient {
        client_id: "erp-rhein-valley",
        organisation: "importer",
        roles: &[Role::ApplicantMaker],
    },
    DemoErpClient {
        client_id: "erp-hanseatic",
        organisation: "issuing-bank",
        roles: &[Role::BankMaker],
    },
];

/// The demo's people and ERP clients, for the demo identity provider.
pub fn directory() -> serde_json::Value {
    let name = |key: &str| {
        ORGANISATIONS
            .iter()
            .find(|o| o.key == key)
            .map_or("", |o| o.legal_name)
    };
    let roles = |roles: &[Role]| roles.iter().map(|r| r.as_str()).collect::<Vec<_>>();
    serde_json::json!({
        "people": PEOPLE.iter().map(|p| serde_json::json!({
            "email": p.email,
            "display_name": p.display_name,
            "organisation": name(p.organisation),
            "roles": roles(p.roles),
        })).collect::<Vec<_>>(),
        "erp_clients": ERP_CLIENTS.iter().map(|c| serde_json::json!({
            "client_id": c.client_id,
            "organisation": name(c.organisation),
            "roles": roles(c.roles),
        })).collect::<Vec<_>>(),
    })
}

/// What seeding wrote (zero on a second run).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub organisations_added: usize,
    pub people_added: usize,
    pub memberships_added: usize,
}

pub fn organisation_id(key: &str) -> Uuid {
    Uuid::new_v5(&DEMO_NAMESPACE, format!("organisation:{key}").as_bytes())
}

pub fn person_id(email: &str) -> Uuid {
    Uuid::new_v5(&DEMO_NAMESPACE, format!("person:{email}").as_bytes())
}

/// Writes the demo network in one transaction.
pub async fn seed(connection: &mut AsyncPgConnection) -> Result<SeedReport> {
    let organisations = ORGANISATIONS
        .iter()
        .map(organisation_row)
        .collect::<Result<Vec<_>>>()?;
    connection
        .transaction::<_, anyhow::Error, _>(async |connection| {
            for (calendar, holidays) in calendars()? {
                store::put_calendar(connection, &calendar, &holidays).await?;
            }
            let mut report = SeedReport::default();
            for organisation in &organisations {
                report.organisations_added +=
                    usize::from(store::insert_organisation(connection, organisation).await?);
            }
            let now = Utc::now();
            for person in PEOPLE {
                let user = User {
                    id: person_id(person.email),
                    email: person.email.into(),
                    display_name: person.display_name.into(),
                    idp_subject: None,
                    created_at: now,
                };
                report.people_added += usize::from(store::insert_user(connection, &user).await?);
                for role in person.roles {
                    let membership = Membership {
                        user_id: user.id,
                        organisation_id: organisation_id(person.organisation),
                        role: role.as_str().into(),
                        granted_at: now,
                    };
                    report.memberships_added +=
                        usize::from(store::insert_membership(connection, &membership).await?);
                }
            }
            for client in ERP_CLIENTS {
                let roles: Vec<String> =
                    client.roles.iter().map(|r| r.as_str().to_owned()).collect();
                crate::store::identity::insert_api_client(
                    connection,
                    client.client_id,
                    organisation_id(client.organisation),
                    &roles,
                    "demo ERP system",
                )
                .await?;
            }
            Ok(report)
        })
        .await
        .context("seeding the demo network")
}

fn organisation_row(demo: &DemoOrganisation) -> Result<Organisation> {
    // Parse through the domain types so the demo can never hold what the
    // API would refuse.
    let country = CountryCode::parse(demo.country)?;
    let bic = demo.bic.map(Bic::parse).transpose()?;
    let lei = demo.lei_prefix.map(Lei::with_check_digits).transpose()?;
    Ok(Organisation {
        id: organisation_id(demo.key),
        kind: demo.kind.as_str().into(),
        legal_name: demo.legal_name.into(),
        country_code: country.into(),
        bic: bic.map(Into::into),
        lei: lei.map(Into::into),
        calendar_code: demo.calendar.map(Into::into),
        approval_levels: 1,
        created_at: Utc::now(),
    })
}

fn calendars() -> Result<Vec<(Calendar, Vec<Holiday>)>> {
    let frankfurt: &[(&str, &str)] = &[
        ("2026-01-01", "New Year's Day"),
        ("2026-04-03", "Good Friday"),
        ("2026-04-06", "Easter Monday"),
        ("2026-05-01", "Labour Day"),
        ("2026-05-14", "Ascension Day"),
        ("2026-05-25", "Whit Monday"),
        ("2026-06-04", "Corpus Christi"),
        ("2026-12-24", "Christmas Eve"),
        ("2026-12-25", "Christmas Day"),
        ("2026-12-26", "Boxing Day"),
        ("2026-12-31", "New Year's Eve"),
        ("2027-01-01", "New Year's Day"),
        ("2027-03-26", "Good Friday"),
        ("2027-03-29", "Easter Monday"),
        ("2027-05-06", "Ascension Day"),
        ("2027-05-17", "Whit Monday"),
        ("2027-05-27", "Corpus Christi"),
        ("2027-12-24", "Christmas Eve"),
        ("2027-12-31", "New Year's Eve"),
    ];
    let singapore: &[(&str, &str)] = &[
        ("2026-01-01", "New Year's Day"),
        ("2026-02-17", "Chinese New Year"),
        ("2026-02-18", "Chinese New Year"),
        ("2026-03-20", "Hari Raya Puasa"),
        ("2026-04-03", "Good Friday"),
        ("2026-05-01", "Labour Day"),
        ("2026-05-27", "Hari Raya Haji"),
        ("2026-06-01", "Vesak Day (observed)"),
        ("2026-08-10", "National Day (observed)"),
        ("2026-11-09", "Deepavali (observed)"),
        ("2026-12-25", "Christmas Day"),
        ("2027-01-01", "New Year's Day"),
        ("2027-02-08", "Chinese New Year (observed)"),
        ("2027-02-09", "Chinese New Year (observed)"),
        ("2027-03-10", "Hari Raya Puasa"),
        ("2027-03-26", "Good Friday"),
        ("2027-05-17", "Hari Raya Haji (observed)"),
        ("2027-05-20", "Vesak Day"),
        ("2027-08-09", "National Day"),
        ("2027-10-28", "Deepavali"),
        ("2027-12-27", "Christmas Day (observed)"),
    ];
    let build = |code: &str,
                 name: &str,
                 time_zone: &str,
                 days: &[(&str, &str)]|
     -> Result<(Calendar, Vec<Holiday>)> {
        let holidays = days
            .iter()
            .map(|(day, name)| {
                Ok(Holiday {
                    calendar_code: code.into(),
                    holiday: day.parse::<NaiveDate>()?,
                    name: (*name).into(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let calendar = Calendar {
            code: code.into(),
            name: name.into(),
            time_zone: time_zone.into(),
            weekend_days: vec![Some(6), Some(7)],
            covered_from: "2026-01-01".parse()?,
            covered_until: "2027-12-31".parse()?,
            created_at: Utc::now(),
        };
        Ok((calendar, holidays))
    };
    Ok(vec![
        build(
            "DE-FF",
            "Frankfurt am Main banking days (demo)",
            "Europe/Berlin",
            frankfurt,
        )?,
        build(
            "SG",
            "Singapore banking days (demo)",
            "Asia/Singapore",
            singapore,
        )?,
    ])
}
