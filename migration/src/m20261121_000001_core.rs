//! The core schema: organisations, users and tokens, courts, cases with their grounds and parties,
//! hearings, observations and rulings. Ids are UUIDv7 strings; answers are the JSON text exactly as
//! accepted; every record keeps who created and last updated it, and when.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    Name,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    DisplayName,
    OrganisationId,
    Role,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    UserId,
    TokenHash,
    Label,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Courts {
    Table,
    Id,
    Name,
    Level,
    Jurisdiction,
    Municipality,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    CourtId,
    OrganisationId,
    CaseNumber,
    Title,
    ProceedingType,
    Status,
    FilingDate,
    Summary,
    MethodologyVersion,
    Answers,
}

#[derive(DeriveIden)]
enum CaseGrounds {
    Table,
    CaseId,
    Ground,
}

#[derive(DeriveIden)]
enum Parties {
    Table,
    Id,
    CaseId,
    Role,
    Kind,
    Pseudonym,
    Characteristics,
    Representation,
}

#[derive(DeriveIden)]
enum Hearings {
    Table,
    Id,
    CaseId,
    ScheduledAt,
    StartedAt,
    EndedAt,
    HearingType,
    Outcome,
    NextHearingDate,
    Courtroom,
}

#[derive(DeriveIden)]
enum Observations {
    Table,
    Id,
    HearingId,
    MonitorId,
    MethodologyVersion,
    Answers,
    Notes,
    Status,
    SubmittedAt,
}

#[derive(DeriveIden)]
enum Rulings {
    Table,
    Id,
    CaseId,
    CourtId,
    ExternalId,
    CourtName,
    Jurisdiction,
    Title,
    DecisionDate,
    Instance,
    Outcome,
    Language,
    FullText,
    Source,
    MethodologyVersion,
    Answers,
}

#[derive(DeriveIden)]
enum Audit {
    CreatedAt,
    CreatedBy,
    UpdatedAt,
    UpdatedBy,
}

fn id(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .string_len(36)
        .not_null()
        .primary_key()
        .to_owned()
}

fn reference(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).string_len(36).not_null().to_owned()
}

fn code(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).string_len(64).not_null().to_owned()
}

/// created/updated at and by, kept on every monitoring record.
fn with_audit(table: &mut TableCreateStatement, users: bool) -> &mut TableCreateStatement {
    table
        .col(
            ColumnDef::new(Audit::CreatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new(Audit::UpdatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        );
    if users {
        table
            .col(ColumnDef::new(Audit::CreatedBy).string_len(36).not_null())
            .col(ColumnDef::new(Audit::UpdatedBy).string_len(36).not_null());
    }
    table
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, columns: &[&'static str]) -> IndexCreateStatement {
    let mut statement = Index::create().name(name).table(table).to_owned();
    for column in columns {
        statement.col(Alias::new(*column));
    }
    statement
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut organisations = Table::create()
            .table(Organisations::Table)
            .col(id(Organisations::Id))
            .col(
                ColumnDef::new(Organisations::Name)
                    .string_len(200)
                    .not_null(),
            )
            .to_owned();
        with_audit(&mut organisations, false);
        manager.create_table(organisations).await?;
        manager
            .create_index(
                index("uq_organisations_name", Organisations::Table, &["name"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        let mut users = Table::create()
            .table(Users::Table)
            .col(id(Users::Id))
            .col(
                ColumnDef::new(Users::DisplayName)
                    .string_len(200)
                    .not_null(),
            )
            .col(reference(Users::OrganisationId))
            .col(code(Users::Role))
            .foreign_key(&mut fk(
                "fk_users_organisation",
                (Users::Table, Users::OrganisationId),
                (Organisations::Table, Organisations::Id),
            ))
            .to_owned();
        with_audit(&mut users, false);
        manager.create_table(users).await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(id(ApiTokens::Id))
                    .col(reference(ApiTokens::UserId))
                    .col(
                        ColumnDef::new(ApiTokens::TokenHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ApiTokens::Label).string_len(200).not_null())
                    .col(
                        ColumnDef::new(ApiTokens::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ApiTokens::ExpiresAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ApiTokens::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut fk(
                        "fk_api_tokens_user",
                        (ApiTokens::Table, ApiTokens::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("uq_api_tokens_hash", ApiTokens::Table, &["token_hash"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        let mut courts = Table::create()
            .table(Courts::Table)
            .col(id(Courts::Id))
            .col(ColumnDef::new(Courts::Name).string_len(300).not_null())
            .col(code(Courts::Level))
            .col(code(Courts::Jurisdiction))
            .col(ColumnDef::new(Courts::Municipality).string_len(200).null())
            .to_owned();
        with_audit(&mut courts, true);
        manager.create_table(courts).await?;
        manager
            .create_index(
                index(
                    "uq_courts_jurisdiction_name",
                    Courts::Table,
                    &["jurisdiction", "name"],
                )
                .unique()
                .to_owned(),
            )
            .await?;

        let mut cases = Table::create()
            .table(Cases::Table)
            .col(id(Cases::Id))
            .col(reference(Cases::CourtId))
            .col(reference(Cases::OrganisationId))
            .col(ColumnDef::new(Cases::CaseNumber).string_len(100).not_null())
            .col(ColumnDef::new(Cases::Title).string_len(500).not_null())
            .col(code(Cases::ProceedingType))
            .col(code(Cases::Status))
            .col(ColumnDef::new(Cases::FilingDate).date().null())
            .col(ColumnDef::new(Cases::Summary).text().null())
            .col(
                ColumnDef::new(Cases::MethodologyVersion)
                    .integer()
                    .not_null(),
            )
            .col(ColumnDef::new(Cases::Answers).text().not_null())
            .foreign_key(&mut fk(
                "fk_cases_court",
                (Cases::Table, Cases::CourtId),
                (Courts::Table, Courts::Id),
            ))
            .foreign_key(&mut fk(
                "fk_cases_organisation",
                (Cases::Table, Cases::OrganisationId),
                (Organisations::Table, Organisations::Id),
            ))
            .to_owned();
        with_audit(&mut cases, true);
        manager.create_table(cases).await?;
        manager
            .create_index(
                index(
                    "uq_cases_court_case_number",
                    Cases::Table,
                    &["court_id", "case_number"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_cases_status", Cases::Table, &["status"]))
            .await?;
        manager
            .create_index(index(
                "ix_cases_proceeding_type",
                Cases::Table,
                &["proceeding_type"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CaseGrounds::Table)
                    .col(reference(CaseGrounds::CaseId))
                    .col(code(CaseGrounds::Ground))
                    .primary_key(
                        Index::create()
                            .col(CaseGrounds::CaseId)
                            .col(CaseGrounds::Ground),
                    )
                    .foreign_key(&mut fk(
                        "fk_case_grounds_case",
                        (CaseGrounds::Table, CaseGrounds::CaseId),
                        (Cases::Table, Cases::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_case_grounds_ground",
                CaseGrounds::Table,
                &["ground", "case_id"],
            ))
            .await?;

        let mut parties = Table::create()
            .table(Parties::Table)
            .col(id(Parties::Id))
            .col(reference(Parties::CaseId))
            .col(code(Parties::Role))
            .col(code(Parties::Kind))
            .col(
                ColumnDef::new(Parties::Pseudonym)
                    .string_len(100)
                    .not_null(),
            )
            .col(ColumnDef::new(Parties::Characteristics).text().not_null())
            .col(code(Parties::Representation))
            .foreign_key(&mut fk(
                "fk_parties_case",
                (Parties::Table, Parties::CaseId),
                (Cases::Table, Cases::Id),
            ))
            .to_owned();
        with_audit(&mut parties, true);
        manager.create_table(parties).await?;
        manager
            .create_index(
                index(
                    "uq_parties_case_pseudonym",
                    Parties::Table,
                    &["case_id", "pseudonym"],
                )
                .unique()
                .to_owned(),
            )
            .await?;

        let mut hearings = Table::create()
            .table(Hearings::Table)
            .col(id(Hearings::Id))
            .col(reference(Hearings::CaseId))
            .col(
                ColumnDef::new(Hearings::ScheduledAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(
                ColumnDef::new(Hearings::StartedAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .col(
                ColumnDef::new(Hearings::EndedAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .col(code(Hearings::HearingType))
            .col(code(Hearings::Outcome))
            .col(ColumnDef::new(Hearings::NextHearingDate).date().null())
            .col(ColumnDef::new(Hearings::Courtroom).string_len(100).null())
            .foreign_key(&mut fk(
                "fk_hearings_case",
                (Hearings::Table, Hearings::CaseId),
                (Cases::Table, Cases::Id),
            ))
            .to_owned();
        with_audit(&mut hearings, true);
        manager.create_table(hearings).await?;
        manager
            .create_index(index(
                "ix_hearings_case",
                Hearings::Table,
                &["case_id", "scheduled_at"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_hearings_scheduled_at",
                Hearings::Table,
                &["scheduled_at"],
            ))
            .await?;

        let mut observations = Table::create()
            .table(Observations::Table)
            .col(id(Observations::Id))
            .col(reference(Observations::HearingId))
            .col(reference(Observations::MonitorId))
            .col(
                ColumnDef::new(Observations::MethodologyVersion)
                    .integer()
                    .not_null(),
            )
            .col(ColumnDef::new(Observations::Answers).text().not_null())
            .col(ColumnDef::new(Observations::Notes).text().null())
            .col(code(Observations::Status))
            .col(
                ColumnDef::new(Observations::SubmittedAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .foreign_key(&mut fk(
                "fk_observations_hearing",
                (Observations::Table, Observations::HearingId),
                (Hearings::Table, Hearings::Id),
            ))
            .foreign_key(&mut fk(
                "fk_observations_monitor",
                (Observations::Table, Observations::MonitorId),
                (Users::Table, Users::Id),
            ))
            .to_owned();
        with_audit(&mut observations, true);
        manager.create_table(observations).await?;
        manager
            .create_index(index(
                "ix_observations_hearing",
                Observations::Table,
                &["hearing_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_observations_status",
                Observations::Table,
                &["status"],
            ))
            .await?;

        let mut rulings = Table::create()
            .table(Rulings::Table)
            .col(id(Rulings::Id))
            .col(ColumnDef::new(Rulings::CaseId).string_len(36).null())
            .col(ColumnDef::new(Rulings::CourtId).string_len(36).null())
            .col(ColumnDef::new(Rulings::ExternalId).string_len(300).null())
            .col(
                ColumnDef::new(Rulings::CourtName)
                    .string_len(300)
                    .not_null(),
            )
            .col(ColumnDef::new(Rulings::Jurisdiction).string_len(64).null())
            .col(ColumnDef::new(Rulings::Title).string_len(1000).not_null())
            .col(ColumnDef::new(Rulings::DecisionDate).date().null())
            .col(ColumnDef::new(Rulings::Instance).string_len(64).null())
            .col(ColumnDef::new(Rulings::Outcome).string_len(64).null())
            .col(ColumnDef::new(Rulings::Language).string_len(35).not_null())
            .col(ColumnDef::new(Rulings::FullText).text().not_null())
            .col(ColumnDef::new(Rulings::Source).string_len(500).null())
            .col(
                ColumnDef::new(Rulings::MethodologyVersion)
                    .integer()
                    .not_null(),
            )
            .col(ColumnDef::new(Rulings::Answers).text().not_null())
            .foreign_key(&mut fk(
                "fk_rulings_case",
                (Rulings::Table, Rulings::CaseId),
                (Cases::Table, Cases::Id),
            ))
            .foreign_key(&mut fk(
                "fk_rulings_court",
                (Rulings::Table, Rulings::CourtId),
                (Courts::Table, Courts::Id),
            ))
            .to_owned();
        with_audit(&mut rulings, true);
        manager.create_table(rulings).await?;
        manager
            .create_index(
                index("uq_rulings_external_id", Rulings::Table, &["external_id"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_rulings_case", Rulings::Table, &["case_id"]))
            .await?;
        manager
            .create_index(index(
                "ix_rulings_decision_date",
                Rulings::Table,
                &["decision_date"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Rulings::Table.into_iden(),
            Observations::Table.into_iden(),
            Hearings::Table.into_iden(),
            Parties::Table.into_iden(),
            CaseGrounds::Table.into_iden(),
            Cases::Table.into_iden(),
            Courts::Table.into_iden(),
            ApiTokens::Table.into_iden(),
            Users::Table.into_iden(),
            Organisations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
