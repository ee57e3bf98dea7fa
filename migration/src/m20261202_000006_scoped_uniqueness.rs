//! Uniqueness within an organisation: two organisations may monitor the same trial (the same case
//! number at the same court) and may each import the same public judgment (the same external id).
//! A record another organisation cannot see must never cause a conflict it can see, which the
//! global indexes did ("already exists" confirmed a hidden case).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    OrganisationId,
    CourtId,
    CaseNumber,
}

#[derive(DeriveIden)]
enum Rulings {
    Table,
    OrganisationId,
    ExternalId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("uq_cases_court_case_number")
                    .table(Cases::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_cases_org_court_case_number")
                    .table(Cases::Table)
                    .col(Cases::OrganisationId)
                    .col(Cases::CourtId)
                    .col(Cases::CaseNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("uq_rulings_external_id")
                    .table(Rulings::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_rulings_org_external_id")
                    .table(Rulings::Table)
                    .col(Rulings::OrganisationId)
                    .col(Rulings::ExternalId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The lookups by external id alone (`?external_id=`) keep an index.
        manager
            .create_index(
                Index::create()
                    .name("ix_rulings_external_id")
                    .table(Rulings::Table)
                    .col(Rulings::ExternalId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            ("ix_rulings_external_id", Rulings::Table.into_iden()),
            ("uq_rulings_org_external_id", Rulings::Table.into_iden()),
            ("uq_cases_org_court_case_number", Cases::Table.into_iden()),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("uq_cases_court_case_number")
                    .table(Cases::Table)
                    .col(Cases::CourtId)
                    .col(Cases::CaseNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_rulings_external_id")
                    .table(Rulings::Table)
                    .col(Rulings::ExternalId)
                    .unique()
                    .to_owned(),
            )
            .await
    }
}
